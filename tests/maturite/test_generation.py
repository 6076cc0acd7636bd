"""Étape « grilles de maturité » de la génération de données synthétiques (rupn/pilotage/generation_maturite.py)."""

from collections import defaultdict
from statistics import mean

import pytest

from rupn.comptes.models import Role
from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.maturite.models import NiveauDomaine, Positionnement
from rupn.maturite.services import recalculer_niveaux
from rupn.pilotage import generation
from rupn.pilotage.generation_maturite import PART_REMPLIES, effacer_maturite, generer_maturite
from rupn.territoires.models import AnneeScolaire
from tests.maturite.aides import REALISE, remplir

ANNEES = 3


@pytest.fixture
def contexte():
    """Les étapes dont dépend la grille (années, bassins, établissements, personnes), à l'échelle 0,02."""
    contexte = generation.Contexte(graine=3, echelle=0.02, annees=ANNEES, progression=lambda _: None)
    prealables = {"années scolaires", "bassins", "établissements", "personnes"}
    for etape in generation.ETAPES:
        if etape.nom in prealables:
            etape.generer(contexte)
    return contexte


def _synthetiques(modele):
    return modele.objects.filter(etablissement__in=generation.etablissements_synthetiques())


def test_l_etape_est_la_derniere_de_la_generation():
    assert generation.ETAPES[-1].nom == "grilles de maturité"


def test_generation_comptes_niveaux_et_progression(contexte, college_a, chef_a, annee):
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE})  # une donnée réelle, que l'effacement garde
    comptes = generer_maturite(contexte)

    ouverts = generation.etablissements_synthetiques().filter(ouvert=True).count()
    possibles = ouverts * ANNEES
    assert (
        comptes["grilles remplies"] == _synthetiques(NiveauDomaine).values("etablissement", "annee").distinct().count()
    )
    assert 0.6 * possibles < comptes["grilles remplies"] < 0.8 * possibles  # PART_REMPLIES
    assert PART_REMPLIES == 0.7
    assert comptes["positionnements"] == _synthetiques(Positionnement).count()
    assert comptes["niveaux de domaine"] == _synthetiques(NiveauDomaine).count() == 5 * comptes["grilles remplies"]
    assert not _synthetiques(Positionnement).filter(etablissement__ouvert=False).exists()
    # Chaque grille remplie l'est en entier, par le chef de l'établissement.
    par_grille = defaultdict(int)
    for etablissement_id, annee_id in _synthetiques(Positionnement).values_list("etablissement_id", "annee_id"):
        par_grille[etablissement_id, annee_id] += 1
    assert set(par_grille.values()) == {sum(len(items) for _, _, items in DOMAINES)}  # la grille par défaut
    chefs = dict(Role.objects.filter(type=Role.Type.CHEF).values_list("etablissement_id", "utilisateur_id"))
    auteurs = set(_synthetiques(Positionnement).values_list("etablissement_id", "modifie_par_id").distinct())
    assert all(chefs[etablissement_id] == auteur for etablissement_id, auteur in auteurs)

    # Les niveaux calculés en mémoire sont ceux que rend le recalcul du service.
    generes = set(_synthetiques(NiveauDomaine).values_list("etablissement_id", "annee_id", "domaine_code", "niveau"))
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in contexte.rentrees]
    for annee_generee in annees:
        recalculer_niveaux(generation.etablissements_synthetiques().values_list("pk", flat=True), annee_generee)
    recalcules = set(_synthetiques(NiveauDomaine).values_list("etablissement_id", "annee_id", "domaine_code", "niveau"))
    assert generes == recalcules

    # Progression : un item réalisé le reste ; le niveau moyen monte d'une année à l'autre.
    realises = defaultdict(set)
    for etablissement_id, annee_id, item_id in (
        _synthetiques(Positionnement).filter(statut=REALISE).values_list("etablissement_id", "annee_id", "item_id")
    ):
        realises[etablissement_id, annee_id].add(item_id)
    for (etablissement_id, annee_id), items in realises.items():
        rang = [annee.pk for annee in annees].index(annee_id)
        for suivante in annees[rang + 1 :]:
            if (etablissement_id, suivante.pk) in realises:
                assert items <= realises[etablissement_id, suivante.pk]
    moyennes = [
        mean(_synthetiques(NiveauDomaine).filter(annee=annee_generee).values_list("niveau", flat=True))
        for annee_generee in annees
    ]
    assert moyennes == sorted(moyennes) and moyennes[-1] > moyennes[0]
    assert set(_synthetiques(NiveauDomaine).values_list("niveau", flat=True)) == {0, 1, 2, 3}

    # L'effacement ne laisse rien des établissements synthétiques et garde les données réelles.
    assert effacer_maturite() == comptes["positionnements"] + comptes["niveaux de domaine"]
    assert not _synthetiques(Positionnement).exists() and not _synthetiques(NiveauDomaine).exists()
    assert Positionnement.objects.filter(etablissement=college_a).exists()
    assert NiveauDomaine.objects.filter(etablissement=college_a).count() == 5


def test_generation_deterministe(contexte):
    generer_maturite(contexte)
    premiere = sorted(
        _synthetiques(Positionnement).values_list("etablissement__uai", "annee__code", "item__code", "statut")
    )
    effacer_maturite()
    generer_maturite(contexte)
    assert (
        sorted(_synthetiques(Positionnement).values_list("etablissement__uai", "annee__code", "item__code", "statut"))
        == premiere
    )
