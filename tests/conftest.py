"""Personas fixes : les tests d'accès se lisent comme des phrases.

- chef_a, adjoint_a, rupn_a : direction et RUPN du collège A (Haute-Garonne, académie de Toulouse) ;
- chef_b : chef du collège B, même académie ;
- dane_toulouse, dane_montpellier : personnels DANE de deux académies ;
- correspondant_31 : correspondant départemental de la Haute-Garonne ;
- national : administrateur national ;
- anonyme : le client non connecté.
"""

import importlib

import pytest
from django.test import Client

from rupn.comptes.models import Role
from rupn.territoires.models import Departement
from tests.factories import EtablissementFactory, RoleFactory, UtilisateurFactory, academie, activer_totp


@pytest.fixture(autouse=True)
def _media_temporaire(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_collection_modifyitems(items):
    """Chaque test lit le référentiel (fixture suivante) : tous ont accès à la base. pytest-django ne
    crée la base de test que pour les tests marqués ; sans cela, un fichier sans test marqué lancé
    seul (tests/test_documentation.py) ne trouverait aucune table."""
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _referentiel(request):
    """Un test transactionnel (fil d'exécution, navigateur) vide la base en partant, données des
    migrations comprises, et pytest-xdist peut placer d'autres tests après lui : le référentiel
    (académies, départements, années, taux d'IMP) est remis au besoin avant chaque test."""
    request.getfixturevalue("db")  # pytest-django passe en transactionnel si le test le demande
    if not Departement.objects.exists():
        from django.apps import apps

        importlib.import_module("rupn.territoires.migrations.0002_referentiel").charger(apps, None)
        importlib.import_module("missions.migrations.0002_taux_imp").charger(apps, None)


@pytest.fixture
def college_a(db):
    return EtablissementFactory(nom="Collège A", departement=Departement.objects.get(code="031"))


@pytest.fixture
def college_b(db):
    return EtablissementFactory(nom="Collège B", departement=Departement.objects.get(code="031"))


@pytest.fixture
def college_herault(db):
    """Un collège de l'académie de Montpellier."""
    return EtablissementFactory(nom="Collège de l'Hérault", departement=Departement.objects.get(code="034"))


@pytest.fixture
def college_tarn(db):
    """Un collège de l'académie de Toulouse hors du département du correspondant."""
    return EtablissementFactory(nom="Collège du Tarn", departement=Departement.objects.get(code="081"))


def _personne(email, **role):
    utilisateur = RoleFactory(utilisateur=UtilisateurFactory(email=email), **role).utilisateur
    if role["type"] in Role.TYPES_ACADEMIQUES:
        # La double authentification est exigée de ces rôles (RUPN_MFA_OBLIGATOIRE).
        activer_totp(utilisateur)
    return utilisateur


@pytest.fixture
def chef_a(college_a):
    return _personne("chef.a@rupn.example", type=Role.Type.CHEF, etablissement=college_a)


@pytest.fixture
def adjoint_a(college_a):
    return _personne("adjoint.a@rupn.example", type=Role.Type.ADJOINT, etablissement=college_a)


@pytest.fixture
def rupn_a(college_a):
    return _personne("rupn.a@rupn.example", type=Role.Type.RUPN, etablissement=college_a)


@pytest.fixture
def chef_b(college_b):
    return _personne("chef.b@rupn.example", type=Role.Type.CHEF, etablissement=college_b)


@pytest.fixture
def dane_toulouse(db):
    return _personne("dane@ac-toulouse.example", type=Role.Type.DANE, etablissement=None, academie=academie("16"))


@pytest.fixture
def dane_montpellier(db):
    return _personne("dane@ac-montpellier.example", type=Role.Type.DANE, etablissement=None, academie=academie("11"))


@pytest.fixture
def correspondant_31(db):
    return _personne(
        "correspondant.31@rupn.example",
        type=Role.Type.CORRESPONDANT,
        etablissement=None,
        academie=academie("16"),
        departements=[Departement.objects.get(code="031")],
    )


@pytest.fixture
def national(db):
    return _personne("national@rupn.example", type=Role.Type.NATIONAL, etablissement=None, academie=None)


@pytest.fixture(scope="session")
def dossier_sceau_demo(tmp_path_factory):
    return tmp_path_factory.mktemp("sceau-demo")


@pytest.fixture
def sceau_de_demonstration(settings, dossier_sceau_demo):
    """Comme en développement : charger_demo crée son certificat de sceau (une fois par session) où on le lui dit."""
    settings.RUPN_SCEAU_PKCS12 = str(dossier_sceau_demo / "demonstration.p12")
    settings.RUPN_SCEAU_MOT_DE_PASSE = "demonstration"


def client_de(utilisateur):
    client = Client()
    client.force_login(utilisateur)
    return client


@pytest.fixture
def anonyme():
    return Client()


def lire_csv(texte):
    """Les lignes d'un export CSV (séparateur « ; », BOM éventuel retiré) : une liste de dictionnaires."""
    import csv
    import io

    return list(csv.DictReader(io.StringIO(texte.removeprefix("\ufeff")), delimiter=";"))


def montant_csv(texte):
    """Un montant écrit à la française dans un export CSV (« 1250,00 »)."""
    from decimal import Decimal

    return Decimal(texte.replace(",", "."))
