from types import SimpleNamespace

from django.conf import settings

from rupn.navigation import menu_pour


def site(request):
    """Configuration DSFR sans requête en base, et le menu du rôle actif."""
    user = getattr(request, "user", None)
    role = getattr(user, "role_actif", None) if user is not None else None
    menu = menu_pour(role) if user is not None and user.is_authenticated else []
    return {
        "SITE_CONFIG": SimpleNamespace(
            site_title=settings.RUPN_NOM_SERVICE,
            site_tagline=settings.RUPN_SOUS_TITRE,
            header_brand_html="Ministère<br>de l'Éducation<br>nationale",
            footer_brand_html="Ministère<br>de l'Éducation<br>nationale",
            footer_description="",
        ),
        "role_actif": role,
        "menu": menu,
        "menu_actif": entree_active(menu, request.path),
    }


def entree_active(menu, chemin):
    """L'adresse de l'entrée du menu où l'on se trouve : la plus longue qui commence le chemin
    (la fiche d'une désignation relève de « Désignations ») ; l'accueil seulement sur lui-même."""
    candidates = [lien for _, lien in menu if chemin == lien or (lien != "/" and chemin.startswith(lien))]
    return max(candidates, key=len, default=None)
