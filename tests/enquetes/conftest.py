"""L'enquête de Toulouse pour l'année en cours (enquête par défaut), et la participation de rupn_a."""

import datetime

import pytest
from django.utils import timezone

from enquetes import services
from rupn.territoires.models import AnneeScolaire
from tests.factories import DesignationFactory, academie


@pytest.fixture
def enquete_toulouse(db):
    return services.enquete_creer(academie=academie("16"), annee=AnneeScolaire.objects.courante())


@pytest.fixture
def enquete_ouverte(enquete_toulouse):
    """Lancée, ouverte depuis hier, close dans un mois."""
    aujourd_hui = timezone.localdate()
    enquete_toulouse.ouverture = aujourd_hui - datetime.timedelta(days=1)
    enquete_toulouse.cloture = aujourd_hui + datetime.timedelta(days=30)
    enquete_toulouse.lancee_le = timezone.now()
    enquete_toulouse.save()
    return enquete_toulouse


@pytest.fixture
def designation_de_rupn_a_cette_annee(college_a, rupn_a):
    return DesignationFactory(
        etablissement=college_a, agent=rupn_a, annee=AnneeScolaire.objects.courante(), acceptee=True
    )


@pytest.fixture
def participation_a(enquete_ouverte, designation_de_rupn_a_cette_annee):
    services.participations_creer(enquete_ouverte)
    return designation_de_rupn_a_cette_annee.participation
