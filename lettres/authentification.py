"""Authentification récente exigée pour signer une lettre : allauth garde dans la session chaque authentification
(connexion, nouvelle authentification, double authentification, ProConnect) avec son heure.

Une action sensible exige une authentification de moins de `ACCOUNT_REAUTHENTICATION_TIMEOUT` secondes
(RUPN_REAUTHENTIFICATION_SECONDES) ; sinon la personne est renvoyée vers la page d'authentification
d'allauth (mot de passe ou code de son application), ou vers ProConnect si son compte n'a pas de mot de
passe, puis revient à la page d'où elle venait.
"""

import time
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.urls import reverse

from lettres.models import Signature

METHODES_RETENUES = {"password", "mfa", "socialaccount"}


def methode_recente(request):
    """La méthode de l'authentification récente (une `Signature.Methode`), ou None s'il n'y en a pas."""
    enregistrements = get_authentication_records(request, request.user)
    limite = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    recents = [e for e in enregistrements if e.get("method") in METHODES_RETENUES and e.get("at", 0) >= limite]
    if not recents:
        return None
    methodes = {e["method"] for e in recents}
    if "socialaccount" in methodes:
        return Signature.Methode.PROCONNECT
    # Un code de l'application d'authentification dans les dernières minutes : à la connexion, il suit le
    # mot de passe ; seul, il confirme l'identité d'un compte protégé par les deux.
    if "mfa" in methodes:
        return Signature.Methode.DOUBLE_AUTHENTIFICATION
    return Signature.Methode.MOT_DE_PASSE


def url_pour_s_authentifier(request, retour):
    """Où s'authentifier de nouveau avant de revenir à `retour`."""
    if request.user.has_usable_password():
        return f"{reverse('account_reauthenticate')}?{urlencode({'next': retour})}"
    # Compte ProConnect seulement : ProConnect redemande l'identification (prompt=login).
    parametres = {"process": "login", "auth_params": "prompt=login", "next": retour}
    return f"{reverse('proconnect_login')}?{urlencode(parametres)}"
