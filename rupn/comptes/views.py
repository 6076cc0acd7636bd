from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rupn.comptes import services
from rupn.comptes.acces import role_requis
from rupn.comptes.forms import ROLES_INVITABLES, AcceptationInvitationForm, InvitationForm
from rupn.comptes.middleware import CLE_SESSION_ROLE
from rupn.comptes.models import Invitation, Utilisateur


@require_POST
def role_choisir(request):
    """Change le rôle actif parmi les rôles valides de la personne."""
    choisi = next(
        (r for r in request.user.roles_valides if str(r.uuid) == request.POST.get("role")),
        None,
    )
    if choisi is None:
        raise Http404("Rôle inconnu.")
    request.session[CLE_SESSION_ROLE] = str(choisi.uuid)
    messages.success(request, f"Vous agissez maintenant en tant que {choisi}.")
    suivante = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(suivante, {request.get_host()}, request.is_secure()):
        suivante = reverse("accueil")
    return redirect(suivante)


@role_requis(*ROLES_INVITABLES)
def invitation_liste(request):
    invitations = Invitation.objects.visible_to(request.user).select_related("etablissement", "academie", "invite_par")
    return render(
        request,
        "comptes/invitation_liste.html",
        {"invitations": invitations[:200], "duree_validite": settings.RUPN_INVITATION_JOURS},
    )


@role_requis(*ROLES_INVITABLES)
def invitation_creer(request):
    formulaire = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and formulaire.is_valid():
        invitation = services.invitation_envoyer(
            formulaire=formulaire,
            invite_par=request.user,
            url_absolue=request.build_absolute_uri,
        )
        messages.success(request, f"Invitation envoyée à {invitation.email}.")
        return redirect("comptes:invitation_liste")
    return render(request, "comptes/invitation_creer.html", {"form": formulaire})


@require_POST
@role_requis(*ROLES_INVITABLES)
def invitation_annuler(request, uuid):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), uuid=uuid)
    try:
        services.invitation_annuler(invitation=invitation)
        messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    except ValidationError as erreur:
        messages.error(request, erreur.messages[0])
    return redirect("comptes:invitation_liste")


@login_not_required
def invitation_accepter(request, jeton):
    invitation = get_object_or_404(Invitation.objects.select_related("etablissement", "academie"), jeton=jeton)
    if not invitation.est_utilisable:
        return render(
            request,
            "comptes/invitation_inutilisable.html",
            {"invitation": invitation},
            status=410,
        )
    compte_existant = invitation.email.lower() == request.user.email.lower() if request.user.is_authenticated else False
    deja_inscrit = Utilisateur.objects.filter(email__iexact=invitation.email).exists()
    if deja_inscrit and not compte_existant and request.user.is_authenticated:
        # Renvoyer vers la connexion bouclerait : allauth renvoie une personne connectée vers `next`.
        raise PermissionDenied("Cette invitation a été envoyée à une autre adresse électronique que la vôtre.")
    if deja_inscrit and not compte_existant:
        messages.info(
            request,
            "Vous avez déjà un compte : connectez-vous pour accepter ce nouveau rôle.",
        )
        return redirect(f"{reverse('account_login')}?next={invitation.get_absolute_url()}")
    formulaire = None
    if compte_existant:
        if request.method == "POST":
            services.invitation_accepter(invitation=invitation, utilisateur=request.user)
            messages.success(request, f"Rôle ajouté : {invitation.get_type_role_display()}.")
            return redirect("accueil")
    else:
        formulaire = AcceptationInvitationForm(
            request.POST or None,
            email=invitation.email,
            initial={
                "first_name": invitation.first_name,
                "last_name": invitation.last_name,
            },
        )
        if request.method == "POST" and formulaire.is_valid():
            utilisateur = services.invitation_accepter(
                invitation=invitation,
                first_name=formulaire.cleaned_data["first_name"],
                last_name=formulaire.cleaned_data["last_name"],
                password=formulaire.cleaned_data["password1"],
            )
            messages.success(request, "Votre compte est créé. Bienvenue !")
            return perform_login(
                request,
                utilisateur,
                email_verification="none",
                redirect_url=reverse("accueil"),
            )
    return render(
        request,
        "comptes/invitation_accepter.html",
        {"invitation": invitation, "form": formulaire},
    )
