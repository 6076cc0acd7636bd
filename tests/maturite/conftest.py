import pytest

from rupn.territoires.models import AnneeScolaire, Departement
from tests.factories import EtablissementFactory
from tests.maturite.aides import EN_COURS, REALISE, direction_de, remplir


@pytest.fixture
def annee():
    return AnneeScolaire.objects.courante()


@pytest.fixture
def annee_passee(annee):
    return AnneeScolaire.objects.filter(debut__lt=annee.debut).order_by("-debut").first()


@pytest.fixture
def academie_remplie(college_a, college_b, college_tarn, college_herault, chef_a, annee):
    """Quatre établissements de Toulouse (dont un du Tarn) et un de Montpellier, à des niveaux divers."""
    lycee = EtablissementFactory(nom="Lycée C", departement=Departement.objects.get(code="031"), type="lycee")
    remplissages = [
        (college_a, {"pilotage": {1: REALISE, 2: REALISE}, "formation": {1: REALISE}}),
        (college_b, {"pilotage": {1: REALISE, 2: EN_COURS}}),
        (college_tarn, {"pilotage": {1: REALISE, 2: REALISE, 3: REALISE}}),
        (college_herault, {"pilotage": {1: REALISE, 2: REALISE, 3: REALISE}, "ressources": {1: REALISE}}),
        (lycee, {"pratiques": {1: REALISE}}),
    ]
    for rang, (etablissement, domaines) in enumerate(remplissages):
        direction = direction_de(etablissement, rang)
        for domaine, statuts in domaines.items():
            remplir(etablissement, annee, direction, domaine, statuts)
    return lycee
