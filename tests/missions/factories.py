"""Fabriques du journal d'activités."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from missions.models import Activite
from rupn.territoires.models import AnneeScolaire
from tests.factories import DesignationFactory


def annee_courante():
    return AnneeScolaire.objects.courante()


def annee_precedente():
    """L'année scolaire d'avant l'année en cours : toutes ses dates sont passées."""
    return AnneeScolaire.pour_rentree(annee_courante().debut.year - 1)


def jour_de(annee, decalage=0):
    """Le `decalage`-ième jour de l'année scolaire, sans dépasser aujourd'hui."""
    return min(annee.debut + datetime.timedelta(days=decalage), timezone.localdate())


class ActiviteFactory(factory.django.DjangoModelFactory):
    """Une entrée du journal, sur une mission validée de l'année en cours (le jour même par défaut)."""

    class Meta:
        model = Activite

    designation = factory.SubFactory(DesignationFactory, validee=True, annee=factory.LazyFunction(annee_courante))
    date = factory.LazyAttribute(lambda activite: min(timezone.localdate(), activite.designation.annee.fin))
    categorie = Activite.Categorie.ACCOMPAGNEMENT
    duree = Decimal("1.5")
    personnes_touchees = 2
    description = "Prise en main de l'ENT avec deux collègues de mathématiques."
