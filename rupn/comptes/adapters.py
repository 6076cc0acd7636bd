from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class CompteAdapter(DefaultAccountAdapter):
    """Les comptes naissent d'une invitation : pas d'inscription libre."""

    def is_open_for_signup(self, request):
        return False

    def get_logout_redirect_url(self, request):
        """Connecté par ProConnect : la déconnexion passe aussi par ProConnect."""
        from rupn.comptes.proconnect.deconnexion import url_deconnexion_proconnect

        return url_deconnexion_proconnect(request) or super().get_logout_redirect_url(request)


class CompteSocialAdapter(DefaultSocialAccountAdapter):
    """ProConnect ne connecte que les agents qui ont déjà un compte (même adresse)."""

    def is_open_for_signup(self, request, sociallogin):
        return False
