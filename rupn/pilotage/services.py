"""Écritures du pilotage : relances de la direction depuis le tableau de bord."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rupn.comptes.services import relancer_directions
from rupn.pilotage.models import RelanceDirection

Motif = RelanceDirection.Motif

# Par motif : l'objet du courriel et la page où la direction agit.
COURRIELS = {
    Motif.LETTRE: ("La lettre de mission du RUPN pour l'année {annee}", "lettres:lettre_liste"),
    Motif.COMPTE_RENDU: (
        "Le compte-rendu de votre RUPN pour l'année {annee} attend votre lecture",
        "enquetes:comptes_rendus",
    ),
    Motif.MATURITE: ("La grille de maturité numérique de l'année {annee}", "maturite:grille"),
}


@transaction.atomic
def direction_relancer(*, etablissements, annee, motif, par, url_absolue, jours=None):
    """Écrit à la direction de chaque établissement pour `motif`, sauf s'il a été relancé pour ce motif depuis
    moins de `jours` jours (RUPN_RELANCE_JOURS par défaut) ; note chaque relance. Rend (établissements relancés,
    établissements sans direction connue ni adresse)."""
    motif = Motif(motif)
    limite = timezone.now() - datetime.timedelta(days=jours if jours is not None else settings.RUPN_RELANCE_JOURS)
    recents = set(
        RelanceDirection.objects.filter(
            annee=annee, motif=motif, le__gt=limite, etablissement__in=etablissements
        ).values_list("etablissement_id", flat=True)
    )
    sujet, page = COURRIELS[motif]
    ecrits, sans_direction = relancer_directions(
        etablissements=etablissements,
        deja_relances=recents,
        sujet=sujet.format(annee=annee),
        gabarit=f"pilotage/email/relance_{motif}.txt",
        contexte=lambda etablissement: {
            "etablissement": etablissement,
            "annee": annee,
            "par": par,
            "lien": url_absolue(f"{reverse(page)}?annee={annee.code}"),
        },
    )
    RelanceDirection.objects.bulk_create(
        RelanceDirection(etablissement=etablissement, annee=annee, motif=motif, par=par) for etablissement in ecrits
    )
    return len(ecrits), sans_direction
