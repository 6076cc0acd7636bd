"""Journal d'activités du RUPN : écritures (une fonction par action, une transaction chacune) et lectures
qu'en font les pages et l'enquête de fin d'année.

Une entrée (`missions.models.Activite`) appartient à une désignation : la mission d'une personne dans un
établissement pour une année scolaire. Seule la personne désignée écrit son journal, et seulement pour une
mission qu'elle a acceptée (acceptée, validée par la DANE ou terminée) et dont l'année a commencé.
"""

from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from missions.models import Activite, Designation

# Ce que la personne saisit ; le reste (identifiant, dates d'enregistrement) est posé par l'application.
CHAMPS_SAISIS = ("designation", "date", "categorie", "axe", "personnes_touchees", "duree", "description")


def missions_du_journal(agent, jour=None):
    """Les désignations où `agent` peut écrire : acceptées, validées ou terminées, d'une année commencée ;
    la plus récente d'abord."""
    return (
        Designation.objects.filter(
            agent=agent,
            statut__in=Designation.STATUTS_ACCEPTES,
            annee__debut__lte=jour or timezone.localdate(),
        )
        .select_related("etablissement", "annee")
        .order_by("-annee__debut", "etablissement__nom", "pk")
    )


def _verifier_mission(designation, par):
    """Relit la désignation sous verrou (une annulation simultanée est vue) et vérifie qu'on peut y écrire."""
    designation = (
        Designation.objects.select_for_update(of=("self",))
        .select_related("annee", "etablissement")
        .get(pk=designation.pk)
    )
    if designation.agent_id != par.pk:
        raise PermissionDenied("Seule la personne désignée tient le journal d'activités de sa mission.")
    if designation.statut not in Designation.STATUTS_ACCEPTES:
        raise ValidationError(
            {
                "designation": f"Cette mission est « {designation.get_statut_display().lower()} » : le journal ne "
                "s'écrit que pour une désignation acceptée, validée ou terminée."
            }
        )
    return designation


def _nettoyer(champs):
    inconnus = set(champs) - set(CHAMPS_SAISIS)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}.")
    if isinstance(champs.get("description"), str):
        champs["description"] = champs["description"].strip()
    return champs


@transaction.atomic
def activite_creer(*, par, designation, date, categorie, duree, description, axe=None, personnes_touchees=None):
    """Ajoute une entrée au journal de `par`, sur sa mission `designation`."""
    champs = _nettoyer(
        {
            "date": date,
            "categorie": categorie,
            "duree": duree,
            "description": description,
            "axe": axe,
            "personnes_touchees": personnes_touchees,
        }
    )
    activite = Activite(designation=_verifier_mission(designation, par), **champs)
    activite.full_clean()
    activite.save()
    return activite


@transaction.atomic
def activite_modifier(*, activite, par, **champs):
    """Modifie les `champs` donnés (parmi CHAMPS_SAISIS) d'une entrée de `par` ; `designation` la rattache à
    une autre de ses missions."""
    champs = _nettoyer(champs)
    # L'entrée telle qu'enregistrée : l'objet reçu a pu être modifié par un formulaire.
    enregistree = Activite.objects.select_for_update(of=("self",)).get(pk=activite.pk)
    _verifier_mission(enregistree.designation, par)
    if "designation" in champs:
        champs["designation"] = _verifier_mission(champs["designation"], par)
    for champ, valeur in champs.items():
        setattr(enregistree, champ, valeur)
    enregistree.full_clean()
    enregistree.save()
    return enregistree


@transaction.atomic
def activite_supprimer(*, activite, par):
    enregistree = Activite.objects.select_for_update(of=("self",)).get(pk=activite.pk)
    _verifier_mission(enregistree.designation, par)
    enregistree.delete()


class BilanCategorie(NamedTuple):
    """Ce que le journal d'une mission compte pour une catégorie."""

    entrees: int
    personnes: int  # somme des personnes touchées indiquées (une personne revue compte à chaque fois)
    heures: Decimal


def resume_du_journal(designation):
    """Le journal d'une mission résumé par catégorie, pour préremplir l'enquête de fin d'année :
    {catégorie: (nombre d'entrées, personnes touchées, durée totale en heures)}.

    Toutes les catégories sont présentes, dans l'ordre de `Activite.Categorie` (zéro si aucune entrée) ;
    les clés sont les membres de `Activite.Categorie` (égaux à leur valeur : `"formation"`…), les valeurs des
    `BilanCategorie` (nommés : `.entrees`, `.personnes`, `.heures`). Une entrée sans nombre de personnes
    compte pour zéro personne. Une seule requête ; toutes les entrées de la désignation comptent, quelle que
    soit la personne qui la lit : à l'appelant de vérifier qu'elle peut la voir.
    """
    lignes = (
        Activite.objects.filter(designation=designation)
        .order_by()
        .values("categorie")
        .annotate(
            entrees=Count("pk"),
            personnes=Sum("personnes_touchees", default=0),
            heures=Sum("duree", default=Decimal(0)),
        )
    )
    comptes = {ligne["categorie"]: ligne for ligne in lignes}
    resume = {}
    for categorie in Activite.Categorie:
        ligne = comptes.get(categorie.value)
        resume[categorie] = (
            BilanCategorie(ligne["entrees"], ligne["personnes"], Decimal(ligne["heures"]))
            if ligne
            else BilanCategorie(0, 0, Decimal(0))
        )
    return resume
