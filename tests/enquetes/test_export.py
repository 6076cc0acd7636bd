"""Export des réponses à l'enquête (enquetes/resources.py) : une ligne par participation envoyée, une colonne
par code de question, en CSV à la française et en XLSX ; mêmes filtres et même périmètre que la page
d'analyse ; aucune cellule ne devient une formule."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from enquetes.models import Reponse
from enquetes.resources import valeur_exportee
from tests.conftest import client_de, lire_csv
from tests.enquetes import jeu_analyse
from tests.enquetes.jeu_analyse import SECRET_MONTPELLIER

pytestmark = pytest.mark.django_db

FORMULE = '=HYPERLINK("http://x","y")'
COLONNES_FIXES = [
    "UAI",
    "Établissement",
    "Département",
    "Bassin de formation",
    "Type",
    "Secteur",
    "RUPN",
    "État",
    "Envoyée le",
]


@pytest.fixture
def jeu():
    """40 participations envoyées (et 10 autres) ; l'une a des réponses piégées."""
    jeu = jeu_analyse.construire(envoyees=40, commencees=5, a_faire=5, etablissements=24, precedentes=5)
    piegee = jeu.envoyees[0]
    for code, valeur in (("bilan_annee", FORMULE), ("outils_collaboratifs", ["=Formule piégée"])):
        Reponse.objects.update_or_create(
            participation=piegee, question=jeu.questions[code], defaults={"valeur": valeur}
        )
        jeu.valeurs[(piegee.pk, code)] = valeur
    return jeu


def url_export(jeu, format):
    return reverse("enquetes:reponses_export", args=[jeu.enquete.uuid, format])


def codes_dans_l_ordre(jeu):
    return list(
        jeu.enquete.questions.order_by("section__ordre", "section_id", "ordre", "pk").values_list("code", flat=True)
    )


def lignes_csv(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    return lire_csv(reponse.content.decode("utf-8"))


def attendu(jeu, participation, code):
    """La cellule CSV attendue pour une réponse, calculée ici."""
    valeur = jeu.valeurs.get((participation.pk, code))
    if valeur is None or valeur is jeu_analyse.ABSENTE:
        return ""
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, list):
        texte = "; ".join(valeur)
    elif isinstance(valeur, float):
        texte = str(valeur).replace(".", ",")
    else:
        texte = str(valeur)
    return f"'{texte}" if texte.startswith(("=", "+", "-", "@")) else texte


def test_csv_une_ligne_par_participation_envoyee_une_colonne_par_code(jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_export(jeu, "csv"))
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="reponses-enquete-16-{jeu.enquete.annee.code}.csv"'
    )
    assert reponse.content.startswith("\ufeff".encode())
    lignes = lignes_csv(reponse)
    codes = codes_dans_l_ordre(jeu)
    assert len(codes) == 40
    assert list(lignes[0]) == COLONNES_FIXES + codes

    # Les seules participations envoyées de Toulouse : ni les commencées, ni la ligne plantée à Montpellier.
    par_uai = {}
    for participation in jeu.envoyees:
        par_uai.setdefault(participation.etablissement.uai, []).append(participation)
    assert len(lignes) == len(jeu.envoyees) == 40
    assert sorted(ligne["UAI"] for ligne in lignes) == sorted(p.etablissement.uai for p in jeu.envoyees)
    assert SECRET_MONTPELLIER not in reponse.content.decode()

    for ligne in lignes:
        candidates = par_uai[ligne["UAI"]]
        participation = next(p for p in candidates if p.designation.agent.nom_public == ligne["RUPN"])
        etablissement = participation.etablissement
        assert ligne["Établissement"] == etablissement.nom
        assert ligne["Département"] == etablissement.departement.code
        assert ligne["Bassin de formation"] == (etablissement.bassin.libelle if etablissement.bassin else "")
        assert ligne["Type"] == etablissement.get_type_display()
        assert ligne["Secteur"] == etablissement.get_secteur_display()
        assert ligne["État"] == "Envoyée"
        envoyee = timezone.localtime(participation.soumise_le).replace(tzinfo=None)
        assert ligne["Envoyée le"] == str(envoyee)
        for code in codes:
            assert ligne[code] == attendu(jeu, participation, code), code

    # Les valeurs de chaque type, telles qu'un tableur les lit.
    piegee = next(ligne for ligne in lignes if ligne["bilan_annee"] == f"'{FORMULE}")
    assert piegee["outils_collaboratifs"] == "'=Formule piégée"
    assert any("; " in ligne["canaux_information"] for ligne in lignes)
    assert {ligne["lettre_de_mission"] for ligne in lignes} <= {"Oui", "Non", ""}
    assert any("," in ligne["anciennete_rupn"] for ligne in lignes)  # 12,5 à la française


def test_xlsx_nombres_et_textes_sans_formule(jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_export(jeu, "xlsx"))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
    feuille = classeur.active
    assert feuille.title == "Réponses à l'enquête"
    entete, *lignes = feuille.iter_rows()
    colonnes = [cellule.value for cellule in entete]
    assert colonnes == COLONNES_FIXES + codes_dans_l_ordre(jeu)
    assert len(lignes) == 40
    lignes = [dict(zip(colonnes, ligne, strict=True)) for ligne in lignes]
    piegee = next(ligne for ligne in lignes if ligne["bilan_annee"].value == f"'{FORMULE}")
    # Sans l'apostrophe, openpyxl écrirait une formule (data_type « f ») que le tableur exécuterait.
    assert (piegee["bilan_annee"].data_type, piegee["outils_collaboratifs"].data_type) == ("s", "s")
    assert not any(cellule.data_type == "f" for ligne in lignes for cellule in ligne.values())
    nombres = [ligne["anciennete_rupn"] for ligne in lignes if ligne["anciennete_rupn"].value is not None]
    assert nombres and all(cellule.data_type == "n" for cellule in nombres)
    assert all(ligne["usage_tablettes"].value in (None, 1, 2, 3, 4, 5) for ligne in lignes)
    assert all(isinstance(ligne["Envoyée le"].value, datetime.datetime) for ligne in lignes)


def test_l_export_suit_les_filtres_de_la_page(jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_export(jeu, "csv"), {"departement": "031", "secteur": "public"})
    assert reponse["Content-Disposition"].endswith(f'filename="reponses-enquete-16-031-{jeu.enquete.annee.code}.csv"')
    attendues = sorted(
        p.etablissement.uai
        for p in jeu.envoyees
        if p.etablissement.departement.code == "031" and p.etablissement.secteur == "public"
    )
    assert attendues
    assert sorted(ligne["UAI"] for ligne in lignes_csv(reponse)) == attendues


def test_le_correspondant_n_exporte_que_son_departement(jeu, correspondant_31):
    client = client_de(correspondant_31)
    reponse = client.get(url_export(jeu, "csv"))
    assert reponse["Content-Disposition"].endswith(f'filename="reponses-enquete-16-031-{jeu.enquete.annee.code}.csv"')
    lignes = lignes_csv(reponse)
    assert lignes and {ligne["Département"] for ligne in lignes} == {"031"}
    assert len(lignes) == sum(1 for p in jeu.envoyees if p.etablissement.departement.code == "031")
    # Un autre département demandé : une ligne d'en-tête, aucune réponse.
    assert lignes_csv(client.get(url_export(jeu, "csv"), {"departement": "081"})) == []


def test_format_inconnu_et_autre_academie(jeu, dane_toulouse, dane_montpellier):
    assert client_de(dane_toulouse).get(url_export(jeu, "pdf")).status_code == 404
    assert client_de(dane_montpellier).get(url_export(jeu, "csv")).status_code == 404


@pytest.mark.parametrize(
    ("valeur", "cellule"),
    [
        (None, None),
        ("", None),
        ([], None),
        (True, "Oui"),
        (False, "Non"),
        (["a", "b"], "a; b"),
        (3, 3),
        (2.5, 2.5),
        ("texte", "texte"),
    ],
)
def test_valeur_exportee(valeur, cellule):
    assert valeur_exportee(valeur) == cellule
