"""L'adresse IP de la personne, derrière les seuls mandataires inverses de confiance.

`X-Forwarded-For` n'est lu que si la connexion vient d'un mandataire listé dans
`RUPN_PROXYS_DE_CONFIANCE` : sinon n'importe qui pourrait y écrire l'adresse de son choix. La liste
est lue de droite à gauche (chaque mandataire ajoute à droite l'adresse qui l'a contacté) ; la première
adresse qui n'est pas un mandataire de confiance est celle de la personne.
"""

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _reseaux(mandataires):
    return tuple(ipaddress.ip_network(mandataire, strict=False) for mandataire in mandataires)


def _de_confiance(adresse):
    reseaux = _reseaux(tuple(settings.RUPN_PROXYS_DE_CONFIANCE))
    return any(adresse in reseau for reseau in reseaux)


def _adresse(texte):
    try:
        return ipaddress.ip_address(texte.strip())
    except ValueError:
        return None


def adresse_ip_client(request):
    """L'adresse IP du client (texte), ou None si elle est illisible."""
    adresse = _adresse(request.META.get("REMOTE_ADDR", ""))
    if adresse is None:
        return None
    if not _de_confiance(adresse):
        return str(adresse)
    for texte in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        precedente = _adresse(texte)
        if precedente is None:
            # Un maillon illisible : ce qui est à sa gauche n'est pas digne de foi.
            return str(adresse)
        adresse = precedente
        if not _de_confiance(adresse):
            return str(adresse)
    return str(adresse)
