"""Écritures des lettres de mission : une fonction par action, une transaction chacune."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lettres.modele_par_defaut import valider_contenu
from lettres.models import ModeleLettre
from rupn.territoires.models import Academie


@transaction.atomic
def modele_enregistrer(*, academie, contenu, par, commentaire="", depuis=None):
    """Enregistre la version suivante du modèle de lettre de l'académie ; rend (version, créée).

    Un contenu identique à la version courante n'en crée pas de nouvelle : rend (courante, False).
    `depuis` : le numéro de la version que la personne avait sous les yeux ; si une autre version a été
    enregistrée entre-temps, rien n'est enregistré (on n'efface pas sans le savoir le travail d'un collègue).
    """
    valider_contenu(contenu)
    # Le verrou sur l'académie range les enregistrements simultanés l'un après l'autre : chacun lit la
    # dernière version de l'autre et prend le numéro suivant.
    Academie.objects.select_for_update().get(pk=academie.pk)
    courant = ModeleLettre.objects.courant(academie)
    if depuis is not None and depuis != courant.version:
        raise ValidationError(
            f"La version {courant.version} du modèle a été enregistrée pendant que vous modifiiez la version "
            f"{depuis} : relisez-la (historique ci-dessous), puis enregistrez à nouveau ; vos saisies sont conservées."
        )
    if contenu == courant.contenu:
        return courant, False
    modele = ModeleLettre(
        academie=academie, version=courant.version + 1, contenu=contenu, cree_par=par, commentaire=commentaire.strip()
    )
    modele.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            modele.save()
    except IntegrityError:
        # Dernier rempart si le verrou n'a pas joué : la contrainte d'unicité (académie, version).
        raise ValidationError(
            f"Une autre personne vient d'enregistrer la version {modele.version} du modèle : rechargez la page "
            "pour la voir, puis enregistrez à nouveau vos modifications."
        ) from None
    return modele, True
