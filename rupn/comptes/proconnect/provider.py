"""Le fournisseur ProConnect, déclaré à allauth (chargé par son registre de fournisseurs)."""

from __future__ import annotations

import json
import secrets
from fnmatch import fnmatch

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider,
    OpenIDConnectProviderAccount,
    _pick_data,
)
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from rupn.comptes.proconnect import PROVIDER_ID
from rupn.comptes.proconnect.views import ProConnectOAuth2Adapter

# Les seuls paramètres facultatifs que ProConnect accepte à l'autorisation : tout autre
# paramètre y provoque l'erreur « Y000400 : Bad Request Exception ».
PARAMETRES_AUTORISATION_PERMIS = {"claims", "prompt", "idp_hint", "login_hint", "acr_values"}
# Demande le claim amr (méthodes d'authentification employées, dont la double authentification).
CLAIMS_PAR_DEFAUT = {"id_token": {"amr": {"essential": True}}}
SCOPES_PAR_DEFAUT = ["openid", "email", "given_name", "usual_name", "uid"]


def aleatoire() -> str:
    """43 caractères aléatoires : ProConnect exige un state et un nonce d'au moins 32 caractères."""
    return secrets.token_urlsafe(32)


class ProConnectAccount(OpenIDConnectProviderAccount):
    def to_str(self):
        donnees = _pick_data(self.account.extra_data)
        return donnees.get("email") or super().to_str()


class ProConnectProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "ProConnect"
    account_class = ProConnectAccount
    oauth2_adapter_class = ProConnectOAuth2Adapter
    # L'authentification par jeton (allauth headless) sauterait la vérification du nonce.
    supports_token_authentication = False

    def get_login_url(self, request: HttpRequest, **kwargs):
        # Adresses fixes (/comptes/proconnect/…), sans l'identifiant de l'application.
        return OAuth2Provider.get_login_url(self, request, **kwargs)

    def get_callback_url(self):
        return reverse("proconnect_callback")

    def get_default_scope(self):
        return list(SCOPES_PAR_DEFAUT)

    def get_auth_params(self):
        params = {"claims": json.dumps(CLAIMS_PAR_DEFAUT, separators=(",", ":"))}
        params.update(super().get_auth_params())
        return params

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {cle: valeur for cle, valeur in auth_params.items() if cle in PARAMETRES_AUTORISATION_PERMIS}
        # Le nonce part dans l'URL et reste dans le state (session) pour le contrôle au retour.
        nonce = aleatoire()
        auth_params["nonce"] = nonce
        kwargs["state_id"] = aleatoire()
        return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)

    def verify_token(self, request: HttpRequest, token):
        raise NotImplementedError("ProConnect : seule la connexion par redirection est prise en charge.")

    def extract_common_fields(self, data):
        donnees = _pick_data(data)
        return {
            "email": donnees.get("email"),
            "first_name": donnees.get("given_name"),
            "last_name": donnees.get("usual_name"),
        }

    def extract_email_addresses(self, data):
        email = _pick_data(data).get("email")
        if not email:
            return []
        # ProConnect ne transmet pas de claim email_verified. L'adresse n'est tenue pour vérifiée, et
        # donc rattachée au compte existant de même adresse, que dans les domaines de confiance
        # (fournisseurs d'identité de l'Éducation nationale) : un autre fournisseur de la fédération
        # ne peut pas se faire passer pour un agent de l'académie.
        return [EmailAddress(email=email, verified=domaine_de_confiance(email), primary=True)]


def domaine_de_confiance(email):
    domaine = email.rsplit("@", 1)[-1].lower()
    return any(fnmatch(domaine, motif) for motif in settings.PROCONNECT_DOMAINES_DE_CONFIANCE)


provider_classes = [ProConnectProvider]
