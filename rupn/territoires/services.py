"""Écritures du référentiel territorial."""

from django.db import transaction


@transaction.atomic
def academie_parametrer(*, formulaire):
    """Enregistre les paramètres de l'académie validés par `formulaire` (libellé du service, premier mois d'IMP)."""
    academie = formulaire.save(commit=False)
    academie.full_clean()
    academie.save(update_fields=list(formulaire.Meta.fields))
    return academie
