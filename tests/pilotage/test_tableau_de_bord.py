"""Tableaux de bord du pilotage : chiffres contre des comptes faits à la main, périmètres (lignes plantées dans une
autre académie et un autre département), descente, tri, exports identiques au tableau, relances, requêtes
bornées."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse

from enquetes.models import Enquete, Participation
from missions.models import Enveloppe
from rupn.maturite.models import NiveauDomaine
from rupn.pilotage.models import RelanceDirection
from rupn.territoires.models import Departement
from tests.conftest import client_de, lire_csv
from tests.factories import DesignationFactory, EtablissementFactory, LettreMissionFactory, academie, annee

ANNEE = "2025-2026"
pytestmark = pytest.mark.django_db


def _url(nom, **parametres):
    from urllib.parse import urlencode

    return reverse(nom) + "?" + urlencode({"annee": ANNEE, **parametres})


@pytest.fixture
def donnees(college_a, college_b, college_tarn, college_herault, chef_a):
    """Toulouse : collège A (31) RUPN validé, lettre scellée, compte-rendu envoyé non lu, grille remplie ;
    collège B (31) RUPN accepté, lettre en brouillon ; collège du Tarn (81) sans RUPN, une proposition.
    Montpellier : collège de l'Hérault avec RUPN, lettre scellée, grille remplie (plantés hors de Toulouse).
    Un collège fermé à Toulouse ne compte jamais."""
    un_an = annee(ANNEE)
    a = DesignationFactory(etablissement=college_a, validee=True)
    LettreMissionFactory(etablissement=college_a, designations=[a], statut="scellee")
    b = DesignationFactory(etablissement=college_b, acceptee=True, taux=None, heures_allegement=2, montant=0)
    LettreMissionFactory(etablissement=college_b, designations=[b])
    DesignationFactory(etablissement=college_tarn)  # proposée : engage l'IMP, ne couvre pas
    h = DesignationFactory(etablissement=college_herault, validee=True)
    LettreMissionFactory(etablissement=college_herault, designations=[h], statut="scellee")
    EtablissementFactory(nom="Collège fermé", ferme=True)
    Enveloppe.objects.create(etablissement=college_a, annee=un_an, montant=Decimal("2500"))
    Enveloppe.objects.create(etablissement=college_herault, annee=un_an, montant=Decimal("9999"))
    enquete = Enquete.objects.create(academie=academie("16"), annee=un_an, titre="Enquête")
    Participation.objects.create(enquete=enquete, designation=a, statut="soumise")
    Participation.objects.create(enquete=enquete, designation=b, statut="en_cours")
    for etablissement in (college_a, college_herault):
        NiveauDomaine.objects.bulk_create(
            NiveauDomaine(etablissement=etablissement, annee=un_an, domaine_code=code, niveau=niveau)
            for code, niveau in zip(
                ("pilotage", "pratiques", "formation", "ressources", "infrastructure"), (1, 2, 0, 3, 1), strict=True
            )
        )
    return {"a": a, "b": b, "h": h}


def _export(nom, format, **parametres):
    from urllib.parse import urlencode

    return reverse("pilotage:export", args=[nom, format]) + "?" + urlencode({"annee": ANNEE, **parametres})


def _tableau(reponse, nom="ventilation"):
    return reponse.context["tableaux"][nom]


def test_chiffres_de_l_academie_contre_un_compte_independant(donnees, dane_toulouse):
    reponse = client_de(dane_toulouse).get(_url("pilotage:tableau_de_bord"))
    assert reponse.status_code == 200
    total = _tableau(reponse).total
    # Compté à la main sur la fixture : trois établissements ouverts à Toulouse.
    assert total.etablissements == 3
    assert total.avec_rupn == 2
    assert total.taux_couverture == pytest.approx(66.7)
    assert total.sans_rupn == 1
    assert total.rupn_en_poste == 2
    assert total.imp_engagee == donnees["a"].montant + donnees["b"].montant + Decimal("1250")  # proposée comprise
    assert total.enveloppes == Decimal("2500")
    assert (total.lettres_brouillon, total.lettres_scellee) == (1, 1)
    assert total.sans_lettre_scellee == 1  # collège B
    assert (total.participations_dues, total.comptes_rendus_envoyes, total.comptes_rendus_lus) == (2, 1, 0)
    assert total.taux_reponse == 50.0
    assert total.compte_rendu_non_lu == 1
    assert total.grille_remplie == 1
    assert "Collège de l'Hérault" not in reponse.text


def test_ventilation_par_departement_et_descente(donnees, dane_toulouse):
    client = client_de(dane_toulouse)
    tableau = _tableau(client.get(_url("pilotage:tableau_de_bord")))
    assert [(ligne.libelle, ligne.etablissements) for ligne in tableau.lignes] == [
        ("031 — Haute-Garonne", 2),
        ("081 — Tarn", 1),
    ]
    haute_garonne = Departement.objects.get(code="031")
    lien = tableau.rangees[0][1][0].lien
    assert f"departement={haute_garonne.pk}" in lien
    # Un niveau plus bas : par bassin, puis la liste des établissements sans lettre scellée du département.
    reponse = client.get(lien)
    assert reponse.context["par"] == "bassin"
    assert _tableau(reponse).total.etablissements == 2
    reponse = client.get(_url("pilotage:etablissements", liste="sans_lettre_scellee", departement=haute_garonne.pk))
    assert [ligne.nom for ligne in reponse.context["tableau"].lignes] == ["Collège B"]


def test_tri_des_colonnes(donnees, dane_toulouse):
    tableau = _tableau(client_de(dane_toulouse).get(_url("pilotage:tableau_de_bord", tri="sans_rupn", ordre="desc")))
    assert [ligne.sans_rupn for ligne in tableau.lignes] == [1, 0]
    tableau = _tableau(client_de(dane_toulouse).get(_url("pilotage:tableau_de_bord", tri="sans_rupn")))
    assert [ligne.sans_rupn for ligne in tableau.lignes] == [0, 1]


def test_le_correspondant_ne_voit_que_ses_departements(donnees, correspondant_31):
    client = client_de(correspondant_31)
    reponse = client.get(_url("pilotage:tableau_de_bord"))
    assert _tableau(reponse).total.etablissements == 2
    assert "Tarn" not in reponse.text and "Hérault" not in reponse.text
    export = client.get(_export("ventilation", "csv"))
    assert "Tarn" not in export.content.decode()
    liste = client.get(_url("pilotage:etablissements", liste="sans_rupn"))
    assert liste.context["page"].paginator.count == 0
    # Un département d'ailleurs demandé dans l'adresse : message d'erreur, et rien d'autre que le périmètre.
    tarn = Departement.objects.get(code="081")
    reponse = client.get(_url("pilotage:tableau_de_bord", departement=tarn.pk))
    assert reponse.context["form"].errors and _tableau(reponse).total.etablissements == 2


def test_national_compare_les_academies_et_ouvre_une_academie(donnees, national):
    client = client_de(national)
    reponse = client.get(_url("pilotage:tableau_de_bord"))
    tableau = _tableau(reponse)
    assert reponse.context["par"] == "academie"
    par_academie = {ligne.libelle: (ligne.etablissements, ligne.lettres_scellee) for ligne in tableau.lignes}
    assert par_academie["Montpellier"] == (1, 1) and par_academie["Toulouse"] == (3, 1)
    # Les 30 académies sont comparées, même sans établissement importé.
    assert len(par_academie) == 30 and par_academie["Lille"] == (0, 0)
    assert tableau.total.etablissements == 4
    toulouse = next(ligne for ligne in tableau.lignes if ligne.libelle == "Toulouse")
    reponse = client.get(tableau.rangees[tableau.lignes.index(toulouse)][1][0].lien)
    assert _tableau(reponse).total.etablissements == 3
    assert reponse.context["perimetre"].libelle == "Académie de Toulouse"
    assert not reponse.context["perimetre"].peut_relancer


def test_export_csv_et_xlsx_identiques_au_tableau(donnees, dane_toulouse):
    client = client_de(dane_toulouse)
    tableau = _tableau(client.get(_url("pilotage:tableau_de_bord", tri="etablissements", ordre="desc")))
    lignes = lire_csv(client.get(_export("ventilation", "csv", tri="etablissements", ordre="desc")).content.decode())
    assert [ligne["Département"] for ligne in lignes] == [*(ligne.libelle for ligne in tableau.lignes), "Total"]
    assert [ligne["Sans lettre scellée"] for ligne in lignes] == ["1", "0", "1"]
    assert len(lignes[0]) == len(tableau.colonnes)
    reponse = client.get(_export("maturite", "xlsx"))
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    rangees = list(feuille.iter_rows(values_only=True))
    assert rangees[0][:3] == ("Domaine", "Grilles remplies", "Niveau moyen (0 à 3)")
    assert [rangee[1] for rangee in rangees[1:]] == [1] * 5  # Montpellier n'est pas compté


@pytest.mark.parametrize("nom", ["inconnu", "etablissement"])
def test_export_d_un_tableau_inconnu(donnees, dane_toulouse, nom):
    assert client_de(dane_toulouse).get(_export(nom, "csv")).status_code == 404
    assert client_de(dane_toulouse).get(_export("maturite", "pdf")).status_code == 404


def test_liste_inconnue(dane_toulouse):
    assert client_de(dane_toulouse).get(_url("pilotage:etablissements", liste="inconnue")).status_code == 404


def test_relance_de_la_direction_une_fois(
    donnees, dane_toulouse, college_b, chef_b, django_capture_on_commit_callbacks
):
    client = client_de(dane_toulouse)
    adresse = reverse("pilotage:relancer")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(adresse, {"annee": ANNEE, "liste": "sans_lettre_scellee", "action": "tous"}, follow=True)
    assert [m.to for m in mail.outbox] == [["chef.b@rupn.example"]]
    assert "1 direction relancée" in reponse.text
    assert RelanceDirection.objects.filter(etablissement=college_b, motif="lettre").count() == 1
    client.post(adresse, {"annee": ANNEE, "liste": "sans_lettre_scellee", "etablissements": [str(college_b.uuid)]})
    assert len(mail.outbox) == 1  # relancé il y a moins de RUPN_RELANCE_JOURS jours


def test_relance_ignore_ce_qui_sort_de_la_liste_ou_du_perimetre(donnees, dane_toulouse, college_a, college_herault):
    client = client_de(dane_toulouse)
    client.post(
        reverse("pilotage:relancer"),
        {
            "annee": ANNEE,
            "liste": "sans_lettre_scellee",
            "etablissements": [str(college_a.uuid), str(college_herault.uuid)],
        },
    )
    assert mail.outbox == [] and not RelanceDirection.objects.exists()


def test_relance_sans_rupn_passe_par_la_couverture(
    donnees, dane_toulouse, college_tarn, django_capture_on_commit_callbacks
):
    from missions.models import RelanceCouverture

    college_tarn.email = "ce.tarn@ac-toulouse.example"
    college_tarn.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_de(dane_toulouse).post(
            reverse("pilotage:relancer"), {"annee": ANNEE, "liste": "sans_rupn", "action": "tous"}
        )
    assert [m.to for m in mail.outbox] == [["ce.tarn@ac-toulouse.example"]]
    assert RelanceCouverture.objects.filter(etablissement=college_tarn).exists()


def test_liste_sans_relance(donnees, dane_toulouse):
    reponse = client_de(dane_toulouse).post(
        reverse("pilotage:relancer"), {"annee": ANNEE, "liste": "tous", "action": "tous"}, follow=True
    )
    assert "appelle pas de relance" in reponse.text and mail.outbox == []


def test_evolution_sur_les_annees(donnees, dane_toulouse, college_a):
    DesignationFactory(etablissement=college_a, annee=annee("2024-2025"), validee=True)
    reponse = client_de(dane_toulouse).get(_url("pilotage:evolution"))
    lignes = {str(ligne.annee): ligne for ligne in reponse.context["tableau"].lignes}
    assert lignes["2024-2025"].avec_rupn == 1 and lignes["2025-2026"].avec_rupn == 2
    assert lignes["2025-2026"].lettres_scellees == 1 and lignes["2025-2026"].taux_reponse == 50.0
    export = lire_csv(client_de(dane_toulouse).get(_export("evolution", "csv")).content.decode())
    assert [ligne["Année scolaire"] for ligne in export] == list(lignes)


def test_fiche_de_l_etablissement(donnees, chef_a, college_a):
    reponse = client_de(chef_a).get(reverse("pilotage:mon_etablissement"))
    assert reponse.status_code == 200
    assert "Signée et scellée" in reponse.text and "pas encore lu par la direction" in reponse.text
    niveaux = dict(reponse.context["maturite"])
    assert niveaux["Ressources"][-2:] == [3, None] or 3 in niveaux["Ressources"]


def _etablissements_en_nombre(nombre, departement="031"):
    dep = Departement.objects.get(code=departement)
    for _ in range(nombre):
        etablissement = EtablissementFactory(departement=dep)
        designation = DesignationFactory(etablissement=etablissement, validee=True)
        LettreMissionFactory(etablissement=etablissement, designations=[designation])


@pytest.mark.parametrize(
    "nom, parametres",
    [
        ("pilotage:tableau_de_bord", {}),
        ("pilotage:tableau_de_bord", {"par": "bassin"}),
        ("pilotage:tableau_de_bord", {"academie": "16", "type": "college"}),
        ("pilotage:evolution", {}),
        ("pilotage:etablissements", {"liste": "sans_lettre_scellee"}),
    ],
)
def test_requetes_bornees(donnees, dane_toulouse, national, django_assert_max_num_queries, nom, parametres):
    _etablissements_en_nombre(30)
    _etablissements_en_nombre(10, departement="081")
    for personne in (dane_toulouse, national):
        client = client_de(personne)
        with django_assert_max_num_queries(15):
            assert client.get(_url(nom, **parametres)).status_code == 200


def test_requetes_bornees_de_la_fiche(donnees, dane_toulouse, college_a, django_assert_max_num_queries):
    for _ in range(5):
        DesignationFactory(etablissement=college_a, acceptee=True)
    client = client_de(dane_toulouse)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("pilotage:fiche", args=[college_a.uuid])).status_code == 200


def _toutes_les_pages(client):
    """Le texte de chaque page et de chaque export du pilotage, pour toutes les ventilations et listes."""
    from rupn.pilotage.indicateurs import LISTES, VENTILATIONS

    adresses = [_url("pilotage:tableau_de_bord", par=par) for par in VENTILATIONS]
    adresses += [_url("pilotage:evolution")]
    adresses += [_url("pilotage:etablissements", liste=liste) for liste in LISTES]
    adresses += [_export(nom, "csv", par=par) for nom in ("ventilation", "lettres", "maturite") for par in VENTILATIONS]
    adresses += [_export("evolution", "csv")]
    adresses += [_export("etablissements", "csv", liste=liste) for liste in LISTES]
    for adresse in adresses:
        reponse = client.get(adresse)
        assert reponse.status_code == 200, adresse
        yield adresse, reponse.content.decode()
    for nom in ("ventilation", "etablissements"):
        classeur = openpyxl.load_workbook(io.BytesIO(client.get(_export(nom, "xlsx", liste="tous")).content))
        yield (
            nom,
            " ".join(str(cellule) for rangee in classeur.active.iter_rows(values_only=True) for cellule in rangee),
        )


@pytest.mark.parametrize(
    "persona, absents",
    [
        ("dane_toulouse", ["Collège de l'Hérault", "Hérault"]),
        ("correspondant_31", ["Collège de l'Hérault", "Hérault", "Collège du Tarn", "Tarn"]),
    ],
)
def test_rien_hors_du_perimetre_dans_aucune_page_ni_aucun_export(donnees, request, persona, absents):
    client = client_de(request.getfixturevalue(persona))
    for adresse, texte in _toutes_les_pages(client):
        for absent in absents:
            assert absent not in texte.replace("&#x27;", "'"), f"{absent} dans {adresse}"


def test_le_national_voit_les_lignes_que_les_autres_ne_voient_pas(donnees, national):
    """Contre-épreuve du test précédent : les lignes plantées existent bien et le national les voit."""
    textes = dict(_toutes_les_pages(client_de(national)))
    assert any("Collège de l'Hérault" in texte.replace("&#x27;", "'") for texte in textes.values())
    assert any("Tarn" in texte for texte in textes.values())


def test_les_noms_sont_echappes(donnees, dane_toulouse):
    """Les rangées sont écrites en Python (templatetags/pilotage.py) : un nom saisi ailleurs n'y devient jamais
    du HTML."""
    etablissement = EtablissementFactory(nom='Collège <b>"gras"</b>')
    DesignationFactory(etablissement=etablissement, acceptee=True)
    texte = client_de(dane_toulouse).get(_url("pilotage:etablissements", liste="sans_lettre_scellee")).text
    assert "Collège &lt;b&gt;&quot;gras&quot;&lt;/b&gt;" in texte and "<b>" not in texte
