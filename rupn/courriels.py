"""Courriels du service : rédigés depuis un gabarit texte, envoyés une fois la transaction validée
(une écriture annulée n'envoie rien)."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def envoyer_apres_validation(*, sujet, gabarit, contexte, destinataires):
    destinataires = sorted({adresse for adresse in destinataires if adresse})
    if not destinataires:
        return
    corps = render_to_string(gabarit, {"nom_service": settings.RUPN_NOM_SERVICE, **contexte})
    # robust : un serveur de courriel en panne est journalisé (django.db.backends.base) sans faire échouer
    # la réponse d'une action déjà enregistrée, ni les envois suivants.
    transaction.on_commit(
        lambda: send_mail(
            subject=f"[{settings.RUPN_NOM_SERVICE}] {sujet}",
            message=corps,
            from_email=None,
            recipient_list=destinataires,
        ),
        robust=True,
    )


def url_du_site(chemin):
    """Adresse absolue hors d'une requête (commandes) : RUPN_URL_SITE + chemin."""
    return urljoin(settings.RUPN_URL_SITE.rstrip("/") + "/", chemin.lstrip("/"))
