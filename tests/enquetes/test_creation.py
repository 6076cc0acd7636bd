"""Création de l'enquête : par défaut (thèmes de Poitiers), copie de l'an dernier (codes gardés)."""

import pytest
from django.core.exceptions import ValidationError

from enquetes import enquete_par_defaut, services
from enquetes.models import Question
from tests.factories import DesignationFactory, academie, annee


def test_l_enquete_par_defaut_reprend_les_themes(enquete_toulouse):
    assert enquete_toulouse.sections.count() == len(enquete_par_defaut.SECTIONS)
    assert enquete_toulouse.questions.count() == enquete_par_defaut.nombre_de_questions() >= 35
    assert set(enquete_toulouse.questions.values_list("type", flat=True)) == set(Question.Type)
    codes = list(enquete_toulouse.questions.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert "Intelligence artificielle" in enquete_toulouse.questions.get(code="besoins_formation").options


def test_une_seule_enquete_par_academie_et_par_annee(enquete_toulouse):
    with pytest.raises(ValidationError, match="déjà son enquête"):
        services.enquete_creer(academie=enquete_toulouse.academie, annee=enquete_toulouse.annee)


def test_la_copie_garde_les_codes_et_laisse_les_questions_masquees(enquete_toulouse):
    enquete_toulouse.questions.filter(code="discipline").update(masquee=True)
    suivante = annee("2027-2028")
    copie = services.enquete_creer(academie=enquete_toulouse.academie, annee=suivante, depuis=enquete_toulouse)
    assert copie.copie_de == enquete_toulouse
    codes = set(copie.questions.values_list("code", flat=True))
    assert codes == set(enquete_toulouse.questions.exclude(code="discipline").values_list("code", flat=True))
    assert [s.titre for s in copie.sections.all()] == [s.titre for s in enquete_toulouse.sections.all()]


def test_on_ne_copie_pas_l_enquete_d_une_autre_academie(enquete_toulouse):
    with pytest.raises(ValidationError, match="même académie"):
        services.enquete_creer(academie=academie("11"), annee=annee("2027-2028"), depuis=enquete_toulouse)


def test_une_participation_par_designation_acceptee(enquete_ouverte, college_a, college_herault):
    acceptee = DesignationFactory(etablissement=college_a, annee=enquete_ouverte.annee, acceptee=True)
    DesignationFactory(etablissement=college_a, annee=enquete_ouverte.annee)  # proposée : pas encore
    DesignationFactory(etablissement=college_herault, annee=enquete_ouverte.annee, acceptee=True)  # autre académie
    assert [p.designation for p in services.participations_creer(enquete_ouverte)] == [acceptee]
    assert services.participations_creer(enquete_ouverte) == []  # une seule fois
