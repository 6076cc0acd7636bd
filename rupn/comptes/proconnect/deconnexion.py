"""Déconnexion à l'initiative du service (RP-initiated logout) auprès de ProConnect.

À la connexion par ProConnect, l'id_token reçu est gardé dans la session. À la déconnexion,
l'adaptateur de comptes renvoie l'agent vers l'end_session_endpoint de ProConnect avec
id_token_hint, state et post_logout_redirect_uri, pour clore aussi la session ProConnect.
"""

from __future__ import annotations

import logging
import secrets

import requests
from allauth.core.internal.httpkit import add_query_params
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.utils import build_absolute_uri
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from rupn.comptes.proconnect import PROVIDER_ID

logger = logging.getLogger(__name__)

CLE_SESSION_ID_TOKEN = "proconnect_id_token"
SEL_ETAT_DECONNEXION = "rupn.comptes.proconnect.deconnexion"
# La session locale est vidée avant le retour de ProConnect : le state est donc signé plutôt que
# conservé en session, et vaut une heure.
DUREE_ETAT_DECONNEXION = 3600


def memoriser_id_token(sender, request: HttpRequest, user, sociallogin=None, **kwargs) -> None:
    """Reçoit user_logged_in : garde l'id_token d'une connexion ProConnect, oublie tout autre."""
    id_token = None
    if sociallogin is not None and sociallogin.account.provider == PROVIDER_ID:
        id_token = (sociallogin.state or {}).get("id_token")
    if id_token:
        request.session[CLE_SESSION_ID_TOKEN] = id_token
    else:
        request.session.pop(CLE_SESSION_ID_TOKEN, None)


def generer_etat_deconnexion() -> str:
    return signing.dumps(secrets.token_urlsafe(32), salt=SEL_ETAT_DECONNEXION)


def etat_deconnexion_valide(etat: str) -> bool:
    try:
        signing.loads(etat, salt=SEL_ETAT_DECONNEXION, max_age=DUREE_ETAT_DECONNEXION)
    except signing.BadSignature:
        return False
    return True


def url_deconnexion_proconnect(request: HttpRequest) -> str | None:
    """L'adresse de déconnexion ProConnect de l'agent connecté par ProConnect, sinon None."""
    id_token = request.session.get(CLE_SESSION_ID_TOKEN)
    if not id_token or not request.user.is_authenticated:
        return None
    try:
        provider = get_adapter(request).get_provider(request, PROVIDER_ID)
        fin_de_session = provider.get_oauth2_adapter(request).openid_config.get("end_session_endpoint")
    except (SocialApp.DoesNotExist, requests.RequestException, ValueError):
        logger.warning("Déconnexion ProConnect impossible : configuration indisponible.", exc_info=True)
        return None
    if not fin_de_session:
        return None
    return add_query_params(
        fin_de_session,
        {
            "id_token_hint": id_token,
            "state": generer_etat_deconnexion(),
            "post_logout_redirect_uri": build_absolute_uri(request, reverse("proconnect_logout_callback")),
        },
    )
