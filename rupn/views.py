from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse

from rupn.pilotage.accueil import contexte_accueil


@login_not_required
def accueil(request):
    if not request.user.is_authenticated:
        return render(request, "pages/presentation.html")
    return render(request, "pages/accueil.html", contexte_accueil(request.user))


def _page_publique(gabarit, titre):
    @login_not_required
    def vue(request):
        return render(request, gabarit, {"titre": titre})

    vue.__name__ = gabarit.split("/")[-1].removesuffix(".html").replace("-", "_")
    return vue


mentions_legales = _page_publique("pages/mentions-legales.html", "Mentions légales")
donnees_personnelles = _page_publique("pages/donnees-personnelles.html", "Données personnelles")
accessibilite = _page_publique("pages/accessibilite.html", "Déclaration d'accessibilité")


@login_not_required
def plan_du_site(request):
    return render(
        request,
        "pages/plan-du-site.html",
        {"titre": "Plan du site", "liens_compte": _liens_compte(request)},
    )


def _liens_compte(request):
    if request.user.is_authenticated:
        return [
            ("Mon compte : adresses électroniques", reverse("account_email")),
            ("Mot de passe", reverse("account_change_password")),
            ("Double authentification", reverse("mfa_index")),
            ("Se déconnecter", reverse("account_logout")),
        ]
    return [
        ("Se connecter", reverse("account_login")),
        ("Mot de passe oublié", reverse("account_reset_password")),
    ]


@login_not_required
def erreur_404(request, exception):
    return render(request, "erreurs/404.html", status=404)


@login_not_required
def erreur_403(request, exception):
    return render(
        request,
        "erreurs/403.html",
        {"raison": str(exception) if exception else ""},
        status=403,
    )


@login_not_required
def erreur_500(request):
    return render(request, "erreurs/500.html", status=500)


@login_not_required
def erreur_csrf(request, reason=""):
    """Formulaire expiré (jeton CSRF) : une page DSFR en français plutôt que celle de Django."""
    return render(request, "erreurs/csrf.html", status=403)
