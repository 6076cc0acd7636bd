from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from rupn.comptes.roles import charger_roles

CLE_SESSION_ROLE = "role_actif"


class RoleActifMiddleware:
    """Attache à l'utilisateur connecté ses rôles valides et le rôle qu'il a choisi."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            charger_roles(request.user, request.session.get(CLE_SESSION_ROLE))
        return self.get_response(request)


class DoubleAuthentificationObligatoireMiddleware:
    """Envoie les personnels académiques (DANE, correspondants, national) et les administrateurs
    activer la double authentification : ils voient les données de nombreux établissements."""

    CHEMINS_PERMIS = ("/comptes/", "/static/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.RUPN_MFA_OBLIGATOIRE and self._doit_activer(request):
            return redirect(reverse("mfa_activate_totp") + "?obligatoire=1")
        return self.get_response(request)

    def _doit_activer(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.CHEMINS_PERMIS):
            return False
        exposee = user.is_staff or user.is_superuser or any(role.est_academique for role in user.roles_valides)
        if not exposee:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
