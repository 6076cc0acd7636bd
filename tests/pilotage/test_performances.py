"""Commande mesurer_performances : format des lignes, base laissée intacte."""

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from missions.models import Designation
from rupn.comptes.models import Role
from rupn.pilotage.generation import MARQUEUR
from rupn.pilotage.performances import SCENARIOS, fichier_annuaire_par_defaut
from rupn.territoires.models import AnneeScolaire, Bassin, Etablissement

pytestmark = pytest.mark.django_db

LIGNE_CHIFFRE = re.compile(r"^\w+: \w+ = [\d.]+ \S+")
LIGNES_EXTRAIT = 300


@pytest.fixture
def petit_annuaire(tmp_path, monkeypatch):
    """L'en-tête et les 300 premières lignes du vrai fichier de l'annuaire."""
    monkeypatch.delenv("RUPN_FICHIER_ANNUAIRE", raising=False)
    source = fichier_annuaire_par_defaut()
    if not source.exists():
        pytest.skip(f"fichier de l'annuaire absent : {source}")
    with source.open("rb") as fichier:
        lignes = [fichier.readline() for _ in range(LIGNES_EXTRAIT + 1)]
    chemin = tmp_path / "annuaire.csv"
    chemin.write_bytes(b"".join(lignes))
    return chemin


@pytest.fixture
def donnees_synthetiques():
    """Une petite génération (une année) : de quoi faire tourner le scénario « designations »."""
    call_command("generer_donnees", "--echelle", "0.01", "--annees", "1", stdout=io.StringIO())


def etat_de_la_base():
    return {
        "etablissements": sorted(Etablissement.objects.values_list("uai", "nom", "ouvert", "etablissement_mere")),
        "bassins": sorted(Bassin.objects.values_list("code", "libelle")),
        "roles": sorted(Role.objects.values_list("pk", "etablissement")),
        "designations": sorted(Designation.objects.values_list("pk", "statut", "montant")),
        "authentificateurs": Authenticator.objects.count(),
        "sessions": Session.objects.count(),
    }


def mesurer(*arguments):
    sortie, erreurs = io.StringIO(), io.StringIO()
    call_command("mesurer_performances", *arguments, stdout=sortie, stderr=erreurs)
    return sortie.getvalue().splitlines(), erreurs.getvalue()


def figures(lignes):
    return {ligne.split(" = ")[0].split(": ")[1]: ligne.split(" = ")[1].split()[0] for ligne in lignes}


def test_scenario_import(petit_annuaire, rupn_a, college_herault):
    """Les lignes ont le format attendu ; la base est ensuite telle qu'avant, rôles compris."""
    avant = etat_de_la_base()
    lignes, erreurs = mesurer("import", "--fichier", str(petit_annuaire))

    assert lignes[0] == f"import: base = {connection.vendor}"
    for ligne in lignes[1:]:
        assert LIGNE_CHIFFRE.match(ligne), ligne
    chiffres = figures(lignes)
    assert chiffres["lignes_fichier"] == str(LIGNES_EXTRAIT)
    assert int(chiffres["etablissements_ecrits"]) > 0
    assert chiffres["etablissements_ecrits"] == chiffres["etablissements_ecrits_ligne_a_ligne"]
    assert float(chiffres["secondes"]) > 0
    assert int(chiffres["lignes_par_seconde"]) > 0
    assert float(chiffres["acceleration"]) > 0
    assert {"secondes_ligne_a_ligne", "lignes_par_seconde_ligne_a_ligne"} <= set(chiffres)
    assert ("SQLite" in erreurs) == (connection.vendor == "sqlite")
    assert "comparaison est faussée" not in erreurs

    assert etat_de_la_base() == avant


def test_tous_les_scenarios_par_defaut(petit_annuaire, donnees_synthetiques, monkeypatch):
    monkeypatch.setenv("RUPN_FICHIER_ANNUAIRE", str(petit_annuaire))
    avant = etat_de_la_base()
    lignes, _ = mesurer()
    assert {ligne.split(":")[0] for ligne in lignes} == set(SCENARIOS)
    assert etat_de_la_base() == avant


def test_fichier_absent(tmp_path):
    with pytest.raises(CommandError, match="Fichier de l'annuaire introuvable"):
        mesurer("import", "--fichier", str(tmp_path / "absent.csv"))


def test_scenario_inconnu():
    with pytest.raises(CommandError, match="Scénario inconnu : vitesse"):
        mesurer("vitesse")


def test_scenario_designations(donnees_synthetiques):
    """Pages de la DANE de la plus grande académie (Versailles) : chiffres attendus, base intacte."""
    avant = etat_de_la_base()
    lignes, erreurs = mesurer("designations")

    assert lignes[:3] == [
        f"designations: base = {connection.vendor}",
        "designations: academie = 25 Versailles",
        f"designations: annee = {AnneeScolaire.objects.courante().code}",
    ]
    for ligne in lignes[3:]:
        assert LIGNE_CHIFFRE.match(ligne), ligne
    chiffres = figures(lignes[3:])
    versailles = Etablissement.objects.filter(academie__code="25", ouvert=True)
    assert chiffres["etablissements"] == str(versailles.count())
    assert chiffres["designations_annee"] == str(Designation.objects.filter(etablissement__in=versailles).count())
    for page in ("academie_designations", "couverture"):
        assert float(chiffres[f"{page}_ms"]) > 0
        assert 0 < int(chiffres[f"{page}_requetes"]) <= 30
    assert ("SQLite" in erreurs) == (connection.vendor == "sqlite")
    assert etat_de_la_base() == avant


def test_scenario_designations_sans_donnees():
    with pytest.raises(CommandError, match="lancez d'abord « manage.py generer_donnees »"):
        mesurer("designations")


def _verifier_pilotage(lignes):
    chiffres = figures([ligne for ligne in lignes if LIGNE_CHIFFRE.match(ligne)])
    for page in ("academie", "departement", "etablissements", "evolution", "national"):
        assert 0 < int(chiffres[f"{page}_requetes"]) <= 15
        assert float(chiffres[f"{page}_sql_ms"]) > 0
        ratio = float(chiffres[f"ratio_{page}"])
        assert ratio == pytest.approx(float(chiffres[f"{page}_ms"]) / float(chiffres[f"{page}_sql_ms"]), rel=0.01)
        assert f"pilotage: ratio_{page} = {chiffres[f'ratio_{page}']} x" in lignes
    return chiffres


def test_scenario_pilotage(donnees_synthetiques):
    avant = etat_de_la_base()
    lignes, _ = mesurer("pilotage")
    chiffres = _verifier_pilotage(lignes)
    assert chiffres["etablissements_national"] == str(Etablissement.objects.filter(ouvert=True).count())
    assert "pilotage: generation_s" not in " ".join(lignes)
    assert etat_de_la_base() == avant


def test_scenario_pilotage_genere_les_donnees_qui_manquent(monkeypatch):
    monkeypatch.setattr("rupn.pilotage.performances.ECHELLE_PILOTAGE", 0.01)
    assert not Etablissement.objects.filter(nom__startswith=MARQUEUR).exists()
    lignes, _ = mesurer("pilotage")
    assert any(ligne.startswith("pilotage: generation_s = ") for ligne in lignes)
    _verifier_pilotage(lignes)
    assert Etablissement.objects.filter(nom__startswith=MARQUEUR).exists()
