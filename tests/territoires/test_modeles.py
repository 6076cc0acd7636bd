import pytest
from django.core.exceptions import ValidationError

from rupn.territoires.models import Academie, AnneeScolaire, Departement
from rupn.territoires.validators import lettre_cle_uai, valider_uai
from tests.factories import EtablissementFactory


@pytest.mark.parametrize("uai", ["0311131L", "0301326D", "0090038T", "6200001" + lettre_cle_uai("6200001")])
def test_uai_valides(uai):
    valider_uai(uai)


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("0311131M", "lettre de contrôle erronée : L attendue"),
        ("031113L", "7 chiffres suivis d'une lettre"),
        ("0311131l", "7 chiffres suivis d'une lettre"),
        ("", "7 chiffres suivis d'une lettre"),
        ("A311131L", "7 chiffres suivis d'une lettre"),
    ],
)
def test_uai_invalides_message_en_francais(uai, message):
    with pytest.raises(ValidationError, match=message):
        valider_uai(uai)


@pytest.mark.django_db
def test_referentiel_present_apres_migrate():
    assert Academie.objects.count() == 30
    assert Departement.objects.count() == 103
    toulouse = Academie.objects.get(code="16")
    assert toulouse.nom == "Toulouse" and toulouse.region == "Occitanie"
    assert toulouse.departements.count() == 8
    assert Departement.objects.get(code="02A").academie.nom == "Corse"
    assert str(Academie.objects.get(code="09")) == "Académie de Lille"
    assert str(Academie.objects.get(code="02")) == "Académie d'Aix-Marseille"


@pytest.mark.django_db
def test_annee_scolaire_courante_et_creation():
    import datetime

    annee = AnneeScolaire.objects.courante(datetime.date(2026, 11, 22))
    assert annee.code == "2026-2027"
    nouvelle = AnneeScolaire.pour_rentree(2030)
    assert (nouvelle.code, nouvelle.debut, nouvelle.fin) == (
        "2030-2031",
        datetime.date(2030, 9, 1),
        datetime.date(2031, 8, 31),
    )
    assert AnneeScolaire.pour_rentree(2030) == nouvelle


@pytest.mark.django_db
def test_un_etablissement_ne_peut_pas_melanger_les_academies():
    etablissement = EtablissementFactory.build(
        departement=Departement.objects.get(code="034"), academie=Academie.objects.get(code="16")
    )
    with pytest.raises(ValidationError, match="n'appartient pas à l'académie"):
        etablissement.full_clean()
