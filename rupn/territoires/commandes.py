"""Ce que partagent les commandes d'administration qui prennent une académie en argument."""

from django.core.management.base import CommandError

from rupn.territoires.models import Academie


def academie_par_code(code):
    """L'académie de code `code` (« 16 » ou « 6 » pour 06) ; sinon une erreur de commande en français."""
    try:
        return Academie.objects.get(code=code.zfill(2))
    except Academie.DoesNotExist:
        raise CommandError(
            f"Académie inconnue : « {code} ». Exemples de codes : 16 (Toulouse), 11 (Montpellier)."
        ) from None
