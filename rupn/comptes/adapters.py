from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class CompteAdapter(DefaultAccountAdapter):
    """Les comptes naissent d'une invitation : pas d'inscription libre."""

    def is_open_for_signup(self, request):
        return False


class CompteSocialAdapter(DefaultSocialAccountAdapter):
    """ProConnect ne connecte que les agents qui ont déjà un compte (même adresse)."""

    def is_open_for_signup(self, request, sociallogin):
        return False
