"""Règle de paiement par neuvième (docs/echeancier-imp.md).

Les montants attendus de la table sont calculés à la main, pas par le code : chaque cas se relit
avec la documentation.
"""

import datetime
from decimal import Decimal

import pytest

from missions.echeancier import Ligne, echeancier, mois_de_mission, mois_de_paiement, montant_du

# Aucune requête ici, mais le référentiel de tests/conftest.py (autouse) demande la base.
pytestmark = pytest.mark.django_db

TAUX = ["312.50", "625", "1250", "2500", "3750"]
ANNEE = datetime.date(2025, 9, 1)  # année scolaire 2025-2026


def jour(texte):
    return datetime.date.fromisoformat(texte)


def mois(texte):
    return jour(f"{texte}-01")


# (montant annuel, premier mois de paiement, début, fin, mois de mission, montant dû, lignes (mois, montant))
CAS = {
    "annee-entiere-octobre": (
        "1250", 10, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "1250.00",
        [("2025-10", "138.89"), ("2025-11", "138.89"), ("2025-12", "138.89"), ("2026-01", "138.89"),
         ("2026-02", "138.89"), ("2026-03", "138.89"), ("2026-04", "138.89"), ("2026-05", "138.89"),
         ("2026-06", "138.88")],
    ),
    "annee-entiere-novembre": (
        "1250", 11, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "1250.00",
        [("2025-11", "138.89"), ("2025-12", "138.89"), ("2026-01", "138.89"), ("2026-02", "138.89"),
         ("2026-03", "138.89"), ("2026-04", "138.89"), ("2026-05", "138.89"), ("2026-06", "138.89"),
         ("2026-07", "138.88")],
    ),
    "remplacee-au-1er-fevrier-octobre": (
        "1250", 10, "2025-09-01", "2026-01-31", "2025-09 … 2026-01", "520.83",
        [("2025-10", "130.21"), ("2025-11", "130.21"), ("2025-12", "130.21"), ("2026-01", "130.20")],
    ),
    "remplacante-du-1er-fevrier-octobre": (
        "1250", 10, "2026-02-01", "2026-08-31", "2026-02 … 2026-08", "729.17",
        [("2026-02", "145.83"), ("2026-03", "145.83"), ("2026-04", "145.83"), ("2026-05", "145.83"),
         ("2026-06", "145.85")],
    ),
    "remplacee-au-1er-fevrier-novembre": (
        "1250", 11, "2025-09-01", "2026-01-31", "2025-09 … 2026-01", "520.83",
        [("2025-11", "173.61"), ("2025-12", "173.61"), ("2026-01", "173.61")],
    ),
    "remplacante-du-1er-fevrier-novembre": (
        "1250", 11, "2026-02-01", "2026-08-31", "2026-02 … 2026-08", "729.17",
        [("2026-02", "121.53"), ("2026-03", "121.53"), ("2026-04", "121.53"), ("2026-05", "121.53"),
         ("2026-06", "121.53"), ("2026-07", "121.52")],
    ),
    "remplacee-la-veille-du-15-janvier": (
        "1250", 10, "2025-09-01", "2026-01-14", "2025-09 … 2025-12", "416.67",
        [("2025-10", "138.89"), ("2025-11", "138.89"), ("2025-12", "138.89")],
    ),
    "remplacante-du-15-janvier": (
        "1250", 10, "2026-01-15", "2026-08-31", "2026-01 … 2026-08", "833.33",
        [("2026-01", "138.89"), ("2026-02", "138.89"), ("2026-03", "138.89"), ("2026-04", "138.89"),
         ("2026-05", "138.89"), ("2026-06", "138.88")],
    ),
    "septembre-octobre-academie-de-novembre": (
        "1250", 11, "2025-09-01", "2025-10-31", "2025-09 … 2025-10", "208.33",
        [("2025-11", "208.33")],
    ),
    "septembre-octobre-academie-d-octobre": (
        "1250", 10, "2025-09-01", "2025-10-31", "2025-09 … 2025-10", "208.33",
        [("2025-10", "208.33")],
    ),
    "juillet-aout-academie-d-octobre": (
        "1250", 10, "2026-07-01", "2026-08-31", "2026-07 … 2026-08", "208.33",
        [("2026-06", "208.33")],
    ),
    "juillet-aout-academie-de-novembre": (
        "1250", 11, "2026-07-01", "2026-08-31", "2026-07 … 2026-08", "208.33",
        [("2026-07", "208.33")],
    ),
    "moins-d-un-mois-avec-un-15": (
        "1250", 10, "2026-03-02", "2026-03-20", "2026-03 … 2026-03", "104.17",
        [("2026-03", "104.17")],
    ),
    "moins-d-un-mois-sans-15": ("1250", 10, "2026-03-16", "2026-04-14", "", "0.00", []),
    "arrivee-le-16-septembre": (
        "1250", 10, "2025-09-16", "2026-08-31", "2025-10 … 2026-08", "1145.83",
        [("2025-10", "127.31"), ("2025-11", "127.31"), ("2025-12", "127.31"), ("2026-01", "127.31"),
         ("2026-02", "127.31"), ("2026-03", "127.31"), ("2026-04", "127.31"), ("2026-05", "127.31"),
         ("2026-06", "127.35")],
    ),
    "allegement-de-service": (None, 10, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "0.00", []),
    "centimes-312-50-annee-entiere": (
        "312.50", 10, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "312.50",
        [("2025-10", "34.72"), ("2025-11", "34.72"), ("2025-12", "34.72"), ("2026-01", "34.72"),
         ("2026-02", "34.72"), ("2026-03", "34.72"), ("2026-04", "34.72"), ("2026-05", "34.72"),
         ("2026-06", "34.74")],
    ),
    "centimes-625-annee-entiere": (
        "625", 10, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "625.00",
        [("2025-10", "69.44"), ("2025-11", "69.44"), ("2025-12", "69.44"), ("2026-01", "69.44"),
         ("2026-02", "69.44"), ("2026-03", "69.44"), ("2026-04", "69.44"), ("2026-05", "69.44"),
         ("2026-06", "69.48")],
    ),
    "centimes-2500-annee-entiere": (
        "2500", 11, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "2500.00",
        [("2025-11", "277.78"), ("2025-12", "277.78"), ("2026-01", "277.78"), ("2026-02", "277.78"),
         ("2026-03", "277.78"), ("2026-04", "277.78"), ("2026-05", "277.78"), ("2026-06", "277.78"),
         ("2026-07", "277.76")],
    ),
    "centimes-3750-annee-entiere": (
        "3750", 10, "2025-09-01", "2026-08-31", "2025-09 … 2026-08", "3750.00",
        [("2025-10", "416.67"), ("2025-11", "416.67"), ("2025-12", "416.67"), ("2026-01", "416.67"),
         ("2026-02", "416.67"), ("2026-03", "416.67"), ("2026-04", "416.67"), ("2026-05", "416.67"),
         ("2026-06", "416.64")],
    ),
    # 312,50 € × 3 / 12 = 78,125 € : le demi-centime va à la plus petite part, arrondie au-dessus ;
    # la plus grande reçoit le reste (312,50 − 78,13 = 234,37), le total reste 312,50 €.
    "demi-centime-3-mois": (
        "312.50", 10, "2025-09-01", "2025-11-30", "2025-09 … 2025-11", "78.13",
        [("2025-10", "39.07"), ("2025-11", "39.06")],
    ),
    "demi-centime-9-mois": (
        "312.50", 10, "2025-12-01", "2026-08-31", "2025-12 … 2026-08", "234.37",
        [("2025-12", "33.48"), ("2026-01", "33.48"), ("2026-02", "33.48"), ("2026-03", "33.48"),
         ("2026-04", "33.48"), ("2026-05", "33.48"), ("2026-06", "33.49")],
    ),
}  # fmt: skip


def _mois_attendus(intervalle):
    """« 2025-09 … 2026-01 » : les mois de septembre 2025 à janvier 2026 ; « » : aucun."""
    if not intervalle:
        return []
    premier, dernier = (mois(bout) for bout in intervalle.split(" … "))
    liste = [premier]
    while liste[-1] < dernier:
        precedent = liste[-1]
        liste.append(datetime.date(precedent.year + precedent.month // 12, precedent.month % 12 + 1, 1))
    return liste


def _verifier_proprietes(lignes, du, premier_mois_paiement, debut_annee=ANNEE):
    montants = [ligne.montant for ligne in lignes]
    assert sum(montants, Decimal(0)) == du
    assert len(lignes) <= 9
    assert {ligne.mois for ligne in lignes} <= set(mois_de_paiement(debut_annee, premier_mois_paiement))
    assert [ligne.mois for ligne in lignes] == sorted({ligne.mois for ligne in lignes})
    assert all(montant > 0 for montant in montants)
    if montants:
        assert max(montants) - min(montants) <= Decimal("0.09")


@pytest.mark.parametrize(
    ("montant_annuel", "premier_mois", "debut", "fin", "mois_attendus", "du_attendu", "lignes_attendues"),
    list(CAS.values()),
    ids=list(CAS),
)
def test_echeancier_de_chaque_cas(
    montant_annuel, premier_mois, debut, fin, mois_attendus, du_attendu, lignes_attendues
):
    mission = mois_de_mission(ANNEE, jour(debut), jour(fin))
    assert mission == _mois_attendus(mois_attendus)
    du = montant_du(montant_annuel, len(mission))
    assert du == Decimal(du_attendu)
    lignes = echeancier(
        montant_annuel=montant_annuel,
        debut_annee=ANNEE,
        debut=jour(debut),
        fin=jour(fin),
        premier_mois_paiement=premier_mois,
    )
    assert [(ligne.mois, ligne.montant) for ligne in lignes] == [(mois(m), Decimal(v)) for m, v in lignes_attendues]
    _verifier_proprietes(lignes, du, premier_mois)


@pytest.mark.parametrize("premier_mois", [10, 11])
@pytest.mark.parametrize("montant_annuel", TAUX)
@pytest.mark.parametrize("debut_annee", [ANNEE, datetime.date(2027, 9, 1)], ids=["2025-2026", "2027-2028-bissextile"])
def test_deux_missions_qui_se_suivent_font_le_montant_annuel_quel_que_soit_le_jour_de_bascule(
    debut_annee, montant_annuel, premier_mois
):
    fin_annee = debut_annee.replace(year=debut_annee.year + 1) - datetime.timedelta(days=1)
    bascule = debut_annee
    while bascule < fin_annee:
        totaux = []
        for debut, fin in [(debut_annee, bascule), (bascule + datetime.timedelta(days=1), fin_annee)]:
            du = montant_du(montant_annuel, len(mois_de_mission(debut_annee, debut, fin)))
            lignes = echeancier(
                montant_annuel=montant_annuel,
                debut_annee=debut_annee,
                debut=debut,
                fin=fin,
                premier_mois_paiement=premier_mois,
            )
            _verifier_proprietes(lignes, du, premier_mois, debut_annee)
            totaux.append(du)
        assert sum(totaux) == Decimal(montant_annuel), f"bascule le {bascule}"
        bascule += datetime.timedelta(days=1)


@pytest.mark.parametrize("montant_annuel", TAUX)
def test_chaque_nombre_de_mois_et_son_complement_font_le_montant_annuel(montant_annuel):
    for nb_mois in range(13):
        assert montant_du(montant_annuel, nb_mois) + montant_du(montant_annuel, 12 - nb_mois) == Decimal(montant_annuel)


def test_les_mois_de_paiement_sont_les_neuf_mois_a_partir_du_premier():
    assert mois_de_paiement(ANNEE, 10) == _mois_attendus("2025-10 … 2026-06")
    assert mois_de_paiement(ANNEE, 11) == _mois_attendus("2025-11 … 2026-07")


def test_une_ligne_porte_le_nom_du_mois_en_francais():
    assert Ligne(mois("2026-02"), Decimal("138.89")).libelle_mois == "février 2026"
