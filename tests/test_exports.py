"""Aucun export CSV ou XLSX ne laisse un texte devenir une formule dans un tableur (rupn/exports.py)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from rupn.exports import sans_formule
from tests.conftest import client_de, lire_csv
from tests.factories import DesignationFactory, EtablissementFactory, UtilisateurFactory

FORMULE = '=HYPERLINK("http://x","y")'
TELEPHONE = "+33"


@pytest.mark.parametrize("debut", ["=", "+", "-", "@", "\t", "\r"])
def test_un_texte_qui_commence_comme_une_formule_est_prefixe(debut):
    assert sans_formule(f"{debut}1+1") == f"'{debut}1+1"


@pytest.mark.parametrize(
    "valeur",
    ["Collège A", "", "2025-10", "1 250 €", "a=b", Decimal("-5"), -5, datetime.date(2025, 9, 1), None],
)
def test_le_reste_est_rendu_tel_quel(valeur):
    assert sans_formule(valeur) == valeur


@pytest.fixture
def piegee(db):
    """Une désignation validée (donc payée) dont l'établissement et la personne ont des noms piégés, et
    sa remplaçante (colonne « Remplace », calculée par une méthode `dehydrate_…`)."""
    etablissement = EtablissementFactory(nom=FORMULE, commune=TELEPHONE)
    agent = UtilisateurFactory(last_name=FORMULE, first_name=TELEPHONE)
    designation = DesignationFactory(etablissement=etablissement, agent=agent, validee=True)
    DesignationFactory(etablissement=etablissement, remplace=designation, agent__last_name="Remplaçante")
    return designation


def designations_url(contenu):
    return lambda format: reverse("missions:designation_export", args=[contenu, format])


# Chaque export : son adresse selon le format, les cellules piégées attendues, une colonne numérique.
EXPORTS = {
    "etablissements": (
        lambda format: reverse("territoires:etablissement_export", args=[format]),
        {"Nom": f"'{FORMULE}", "Commune": f"'{TELEPHONE}"},
        None,
    ),
    "designations": (
        designations_url("designations"),
        {"Établissement": f"'{FORMULE}", "Nom": f"'{FORMULE}", "Prénom": f"'{TELEPHONE}"},
        "Montant dû (€)",
    ),
    "echeancier": (
        designations_url("echeancier"),
        {"Établissement": f"'{FORMULE}", "Nom": f"'{FORMULE}", "Prénom": f"'{TELEPHONE}"},
        "Montant (€)",
    ),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_csv_sans_formule(dane_toulouse, piegee, export):
    url, attendues, _ = EXPORTS[export]
    reponse = client_de(dane_toulouse).get(url("csv"), {"annee": "2025-2026"})
    lignes = [
        ligne
        for ligne in lire_csv(reponse.content.decode("utf-8-sig"))
        if ligne["UAI"] == piegee.etablissement.uai and ligne.get("Nom") != "Remplaçante"
    ]
    assert lignes
    for ligne in lignes:
        assert {colonne: ligne[colonne] for colonne in attendues} == attendues


@pytest.mark.parametrize("export", EXPORTS)
def test_xlsx_sans_formule_et_nombres_gardes(dane_toulouse, piegee, export):
    url, attendues, colonne_numerique = EXPORTS[export]
    reponse = client_de(dane_toulouse).get(url("xlsx"), {"annee": "2025-2026"})
    entete, *lignes = openpyxl.load_workbook(io.BytesIO(reponse.content)).active.iter_rows()
    colonnes = [cellule.value for cellule in entete]
    lignes = [
        dict(zip(colonnes, ligne, strict=True))
        for ligne in lignes
        if ligne[colonnes.index("UAI")].value == piegee.etablissement.uai
        and ligne[colonnes.index("Nom")].value != "Remplaçante"
    ]
    assert lignes
    for ligne in lignes:
        # Sans l'apostrophe, openpyxl écrirait une formule (data_type « f ») que le tableur exécuterait.
        assert {colonne: (ligne[colonne].data_type, ligne[colonne].value) for colonne in attendues} == {
            colonne: ("s", valeur) for colonne, valeur in attendues.items()
        }
        if colonne_numerique:
            assert ligne[colonne_numerique].data_type == "n"


def test_une_valeur_calculee_par_dehydrate_est_prefixee(dane_toulouse, piegee):
    reponse = client_de(dane_toulouse).get(designations_url("designations")("csv"), {"annee": "2025-2026"})
    remplacante = next(
        ligne for ligne in lire_csv(reponse.content.decode("utf-8-sig")) if ligne["Nom"] == "Remplaçante"
    )
    assert remplacante["Remplace"] == f"'{piegee.agent}" and str(piegee.agent).startswith(TELEPHONE)
