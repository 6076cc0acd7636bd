"""Étape « enquêtes » de generer_donnees (rupn/pilotage/generation.py) et scénario « enquetes » de
mesurer_performances (rupn/pilotage/performances.py)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F

from enquetes import enquete_par_defaut
from enquetes.forms_saisie import nettoyer
from enquetes.models import Enquete, Participation, Reponse
from enquetes.services import STATUTS_PARTICIPANTS
from missions.models import Designation
from rupn.pilotage.generation import MARQUEUR, Contexte
from rupn.territoires.models import Academie, AnneeScolaire
from tests.enquetes.jeu_analyse import construire

pytestmark = pytest.mark.django_db


def generer(*options):
    call_command("generer_donnees", "--echelle", "0.01", *options, stdout=io.StringIO())


def instantane():
    return {
        "enquetes": sorted(Enquete.objects.values_list("uuid", "academie__code", "annee__code", "copie_de__uuid")),
        "participations": sorted(
            Participation.objects.values_list("uuid", "designation__uuid", "statut", "soumise_le")
        ),
        "reponses": sorted(Reponse.objects.values_list("participation__uuid", "question__code", "valeur"), key=repr),
    }


def test_une_enquete_par_academie_et_par_annee_avec_des_reponses_plausibles():
    generer("--annees", "2")
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in Contexte(graine=1, echelle=1, annees=2).rentrees]
    enquetes = Enquete.objects.filter(titre__startswith=MARQUEUR)
    assert enquetes.count() == 2 * Academie.objects.count()
    for enquete in enquetes.annotate(n=Count("questions")):
        assert enquete.n == 40 and enquete.annee in annees
        if enquete.annee == annees[1]:
            assert enquete.copie_de.annee == annees[0] and enquete.copie_de.academie_id == enquete.academie_id

    # Une participation par désignation acceptée, validée ou terminée (des établissements synthétiques).
    participantes = Designation.objects.filter(
        etablissement__nom__startswith=MARQUEUR, statut__in=STATUTS_PARTICIPANTS, annee__in=annees
    )
    participations = Participation.objects.filter(enquete__in=enquetes)
    assert participations.count() == participantes.count() > 100
    assert not participations.exclude(enquete__academie=F("designation__etablissement__academie")).exists()
    assert not participations.exclude(enquete__annee=F("designation__annee")).exists()
    envoyees = participations.filter(statut=Participation.Statut.SOUMISE)
    assert 0.5 < envoyees.count() / participations.count() < 0.7
    assert not envoyees.filter(soumise_le__isnull=True).exists()
    assert not participations.filter(statut=Participation.Statut.A_FAIRE, reponses__isnull=False).exists()

    # Chaque envoyée répond aux questions obligatoires ; chaque valeur passerait le contrôle de la saisie.
    obligatoires = sum(q["obligatoire"] for section in enquete_par_defaut.SECTIONS for q in section["questions"])
    reponses = Reponse.objects.filter(participation__in=envoyees)
    assert reponses.filter(question__obligatoire=True).count() == obligatoires * envoyees.count()
    assert not Reponse.objects.exclude(question__enquete=F("participation__enquete")).exists()
    for reponse in reponses.select_related("question")[:3000]:
        question, valeur = reponse.question, reponse.valeur
        if isinstance(valeur, bool):
            brute = "oui" if valeur else "non"
        else:
            brute = valeur if isinstance(valeur, list) else str(valeur)
        assert nettoyer(question, brute) == valeur, (question.code, valeur)


def test_generation_rejouable_et_deterministe():
    generer("--annees", "1")
    premiere = instantane()
    assert premiere["reponses"]
    generer("--annees", "1")
    assert instantane() == premiere


def test_une_enquete_reelle_est_gardee():
    """Une académie qui a son enquête réelle pour l'année n'en reçoit pas de synthétique ; la réelle, ses
    participations et ses réponses restent."""
    jeu = construire(envoyees=5, commencees=1, a_faire=1, etablissements=4, precedentes=2)
    reponses = Reponse.objects.filter(participation__enquete=jeu.enquete).count()
    generer("--annees", "1")
    toulouse = Enquete.objects.filter(academie__code="16", annee=jeu.enquete.annee)
    assert list(toulouse) == [jeu.enquete]
    assert Reponse.objects.filter(participation__enquete=jeu.enquete).count() == reponses


def mesurer(*arguments):
    sortie, erreurs = io.StringIO(), io.StringIO()
    call_command("mesurer_performances", *arguments, stdout=sortie, stderr=erreurs)
    return sortie.getvalue().splitlines(), erreurs.getvalue()


def test_scenario_enquetes():
    generer("--annees", "1")
    avant = instantane()
    lignes, erreurs = mesurer("enquetes")
    assert lignes[:3] == [
        f"enquetes: base = {connection.vendor}",
        "enquetes: academie = 25 Versailles",
        f"enquetes: annee = {AnneeScolaire.objects.courante().code}",
    ]
    chiffres = {ligne.split(" = ")[0].split(": ")[1]: ligne.split(" = ")[1].split()[0] for ligne in lignes[3:]}
    enquete = Enquete.objects.get(academie__code="25", annee=AnneeScolaire.objects.courante())
    envoyees = enquete.participations.filter(statut="soumise")
    assert chiffres["questions"] == "40"
    assert chiffres["participations"] == str(enquete.participations.count())
    assert chiffres["participations_envoyees"] == str(envoyees.count())
    assert chiffres["reponses"] == str(Reponse.objects.filter(participation__in=envoyees).count())
    for page in ("analyse", "export_csv"):
        assert float(chiffres[f"{page}_ms"]) > 0
        assert 0 < int(chiffres[f"{page}_requetes"]) <= 15
    assert ("SQLite" in erreurs) == (connection.vendor == "sqlite")
    assert instantane() == avant


def test_scenario_enquetes_sans_donnees():
    with pytest.raises(CommandError, match="lancez d'abord « manage.py generer_donnees »"):
        mesurer("enquetes")
