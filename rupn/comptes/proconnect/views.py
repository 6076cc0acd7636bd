"""Échanges OpenID Connect avec ProConnect.

Par rapport au client OpenID Connect générique d'allauth, ProConnect exige :

- un ``nonce`` (conservé avec le ``state``, comparé à celui de l'id_token au retour) ;
- la vérification de la signature de l'id_token, même reçu directement du serveur ;
- un point userinfo qui répond par un JWT signé (``application/jwt``) et non du JSON.
"""

from __future__ import annotations

import hmac
import logging

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp, SocialToken
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from rupn.comptes.proconnect import PROVIDER_ID
from rupn.comptes.proconnect.deconnexion import etat_deconnexion_valide

logger = logging.getLogger(__name__)

# Algorithmes de signature acceptés par défaut (réglage « signing_algorithms » de l'application).
# Jamais d'algorithme symétrique ni « none » : la clé vient du JWKS public de ProConnect.
ALGORITHMES_PAR_DEFAUT = ["RS256"]
ALGORITHMES_ASYMETRIQUES = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}
# Tolérance d'horloge entre ProConnect et nous, en secondes.
TOLERANCE_HORLOGE = 30


def _octets(valeur) -> bytes:
    return str(valeur).encode("utf-8")


class ProConnectOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    # Le state retrouvé dans la session au retour (posé par ProConnectCallbackView).
    state: dict | None = None

    def __init__(self, request: HttpRequest, provider_id: str = PROVIDER_ID) -> None:
        super().__init__(request, provider_id)

    @property
    def basic_auth(self):
        # ProConnect attend client_id et client_secret dans le corps (client_secret_post).
        return self.get_provider().app.settings.get("token_auth_method") == "client_secret_basic"

    def get_callback_url(self, request: HttpRequest, app):
        return build_absolute_uri(request, reverse("proconnect_callback"), self.redirect_uri_protocol)

    # --- Jetons signés -------------------------------------------------------

    def _algorithmes(self, app: SocialApp) -> list[str]:
        algorithmes = list(app.settings.get("signing_algorithms", ALGORITHMES_PAR_DEFAUT))
        if not algorithmes or not set(algorithmes) <= ALGORITHMES_ASYMETRIQUES:
            raise OAuth2Error("ProConnect : algorithmes de signature non pris en charge.")
        return algorithmes

    def _cle_publique(self, jeton: str, algorithmes: list[str]):
        """La clé publique du JWKS de ProConnect qui a signé ce jeton (désignée par son kid)."""
        try:
            entete = jwt.get_unverified_header(jeton)
        except jwt.PyJWTError as e:
            raise OAuth2Error("ProConnect : jeton illisible.") from e
        if entete.get("alg") not in algorithmes:
            raise OAuth2Error(f"ProConnect : algorithme de signature inattendu ({entete.get('alg')}).")
        if not entete.get("kid"):
            raise OAuth2Error("ProConnect : jeton sans identifiant de clé (kid).")
        try:
            _alg, cle = jwtkit.fetch_key(jeton, self.openid_config["jwks_uri"], jwtkit.lookup_kid_jwk)
        except (KeyError, ValueError, jwt.PyJWTError) as e:
            raise OAuth2Error("ProConnect : clé de signature introuvable.") from e
        return cle

    def _verifier_jwt(self, app: SocialApp, jeton: str, quoi: str, **verifications) -> dict:
        """Vérifie la signature (clé du JWKS désignée par le kid) et les `verifications` de PyJWT."""
        algorithmes = self._algorithmes(app)
        cle = self._cle_publique(jeton, algorithmes)
        try:
            return jwt.decode(jeton, key=cle, algorithms=algorithmes, leeway=TOLERANCE_HORLOGE, **verifications)
        except jwt.PyJWTError as e:
            raise OAuth2Error(f"ProConnect : {quoi} refusé ({e}).") from e

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        """Vérifie signature, émetteur, audience et expiration de l'id_token."""
        claims = self._verifier_jwt(
            app,
            id_token,
            "id_token",
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
        )
        jwtkit.verify_jti(claims)  # rejeu : lève OAuth2Error
        return claims

    def _fetch_user_info(self, access_token: str) -> dict:
        """Interroge userinfo, qui répond par un JWT signé, et en renvoie les claims vérifiés."""
        app = self.get_provider().app
        with get_adapter().get_requests_session() as sess:
            reponse = sess.get(self.profile_url, headers={"Authorization": f"Bearer {access_token}"})
            reponse.raise_for_status()
        type_contenu = reponse.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if type_contenu != "application/jwt":
            raise OAuth2Error(f"ProConnect : userinfo n'est pas un JWT signé ({type_contenu or 'sans type'}).")
        return self.decoder_userinfo(app, reponse.text.strip())

    def decoder_userinfo(self, app: SocialApp, jeton: str) -> dict:
        # iss et aud sont recommandés (OIDC Core § 5.3.2) : vérifiés plus bas s'ils sont présents.
        claims = self._verifier_jwt(app, jeton, "userinfo", options={"verify_aud": False, "require": ["sub"]})
        if "iss" in claims and claims["iss"] != self.openid_config["issuer"]:
            raise OAuth2Error("ProConnect : émetteur de userinfo inattendu.")
        if "aud" in claims:
            audiences = [claims["aud"]] if isinstance(claims["aud"], str) else list(claims["aud"])
            if app.client_id not in audiences:
                raise OAuth2Error("ProConnect : userinfo destiné à un autre service.")
        return claims

    # --- Connexion -----------------------------------------------------------

    def complete_login(self, request: HttpRequest, app, token: SocialToken, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("ProConnect : pas d'id_token dans la réponse du point token.")
        claims = self._decode_id_token(app, id_token)

        nonce_attendu = (self.state or {}).get("nonce")
        if not nonce_attendu or not hmac.compare_digest(_octets(claims["nonce"]), _octets(nonce_attendu)):
            raise OAuth2Error("ProConnect : nonce de l'id_token différent de celui envoyé.")

        userinfo = self._fetch_user_info(token.token)
        if userinfo.get("sub") != claims["sub"]:
            raise OAuth2Error("ProConnect : userinfo ne concerne pas la personne de l'id_token.")

        # Conservé avec le state (jamais en base) : id_token_hint de la déconnexion.
        if self.state is not None:
            self.state["id_token"] = id_token
        return self.get_provider().sociallogin_from_response(request, {"id_token": claims, "userinfo": userinfo})


class ProConnectCallbackView(OAuth2CallbackView):
    """Le retour de ProConnect : donne le state retrouvé à l'adaptateur, qui y lit le nonce."""

    def _get_state(self, request: HttpRequest, provider):
        state, reponse = super()._get_state(request, provider)
        self.adapter.state = state
        return state, reponse


def _vue(classe, request: HttpRequest):
    try:
        return classe.adapter_view(ProConnectOAuth2Adapter(request, PROVIDER_ID))(request)
    except SocialApp.DoesNotExist as e:
        # ProConnect n'est pas configuré (PROCONNECT_CLIENT_ID vide).
        raise Http404 from e


@login_not_required
def connexion(request: HttpRequest):
    return _vue(OAuth2LoginView, request)


@login_not_required
def retour_connexion(request: HttpRequest):
    return _vue(ProConnectCallbackView, request)


@login_not_required
def retour_deconnexion(request: HttpRequest):
    """post_logout_redirect_uri : ProConnect y renvoie l'agent après la déconnexion."""
    if not etat_deconnexion_valide(request.GET.get("state", "")):
        # La session locale est déjà close : rien à protéger, on le note seulement.
        logger.warning("Retour de déconnexion ProConnect avec un state invalide.")
    url = getattr(settings, "ACCOUNT_LOGOUT_REDIRECT_URL", None) or settings.LOGOUT_REDIRECT_URL or "/"
    return redirect(resolve_url(url))
