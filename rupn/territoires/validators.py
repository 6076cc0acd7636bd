import re

from django.core.exceptions import ValidationError

LETTRES_CLE_UAI = "ABCDEFGHJKLMNPRSTUVWXYZ"
_FORMAT_UAI = re.compile(r"^[0-9]{7}[A-Z]$")


def lettre_cle_uai(sept_chiffres: str) -> str:
    """Lettre de contrôle d'un UAI : rang du nombre à 7 chiffres modulo 23."""
    return LETTRES_CLE_UAI[int(sept_chiffres) % 23]


def valider_uai(valeur: str) -> None:
    if not _FORMAT_UAI.match(valeur or ""):
        raise ValidationError(
            "L'UAI « %(uai)s » doit comporter 7 chiffres suivis d'une lettre majuscule (ex. 0311131L).",
            code="uai_format",
            params={"uai": valeur},
        )
    attendue = lettre_cle_uai(valeur[:7])
    if valeur[7] != attendue:
        raise ValidationError(
            "L'UAI « %(uai)s » a une lettre de contrôle erronée : %(attendue)s attendue.",
            code="uai_cle",
            params={"uai": valeur, "attendue": attendue},
        )
