"""Enveloppes d'IMP (liste, import tout ou rien, modification) et taux d'IMP autorisés par la DANE."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions.models import Designation, Enveloppe, TauxIMP
from missions.resources_enveloppes import importer_enveloppes
from rupn.territoires.models import Departement, Etablissement
from tests.conftest import client_de
from tests.factories import DesignationFactory, EtablissementFactory, academie, annee, taux

pytestmark = pytest.mark.django_db

ANNEE = "2025-2026"
LISTE = reverse("missions:enveloppe_liste")
TAUX = reverse("missions:taux_parametres")


def enveloppe(etablissement, montant, code=ANNEE):
    return Enveloppe.objects.create(etablissement=etablissement, annee=annee(code), montant=Decimal(montant))


def montants():
    return {
        (e.etablissement.nom, e.annee.code): e.montant
        for e in Enveloppe.objects.select_related("etablissement", "annee")
    }


def liste(utilisateur, **parametres):
    reponse = client_de(utilisateur).get(LISTE, {"annee": ANNEE, **parametres})
    assert reponse.status_code == 200
    return reponse


def lignes(reponse):
    return {e.nom: e for e in reponse.context["page"]}


@pytest.fixture
def jeu(college_a, college_b, college_tarn, college_herault):
    """A : enveloppe 2 000 €, engagé 1 250 + 625 (une refusée et une annulée ne comptent pas) ;
    B : enveloppe 1 000 €, engagé 1 250 (dépassée) ; Tarn : pas d'enveloppe, un allègement."""
    enveloppe(college_a, "2000")
    enveloppe(college_b, "1000")
    enveloppe(college_a, "9999", code="2024-2025")
    enveloppe(college_herault, "5000")
    DesignationFactory(etablissement=college_a)
    DesignationFactory(etablissement=college_a, acceptee=True, taux=taux(625), montant=Decimal("625"))
    DesignationFactory(etablissement=college_a, refusee=True)
    DesignationFactory(etablissement=college_a, statut=Designation.Statut.ANNULEE)
    DesignationFactory(etablissement=college_b, validee=True)
    DesignationFactory(etablissement=college_tarn, acceptee=True, allegement=True)
    DesignationFactory(etablissement=college_a, annee=annee("2024-2025"), validee=True)
    EtablissementFactory(ferme=True, nom="Collège fermé")


# Liste


def test_enveloppes_engage_et_depassements(dane_toulouse, jeu):
    reponse = liste(dane_toulouse)
    vues = lignes(reponse)
    assert set(vues) == {"Collège A", "Collège B", "Collège du Tarn"}
    a, b, tarn = vues["Collège A"], vues["Collège B"], vues["Collège du Tarn"]
    assert (a.montant_enveloppe, a.montant_engage, a.depassee) == (Decimal("2000"), Decimal("1875"), False)
    assert (b.montant_enveloppe, b.montant_engage, b.depassee) == (Decimal("1000"), Decimal("1250"), True)
    assert (tarn.montant_enveloppe, tarn.montant_engage, tarn.depassee) == (None, Decimal("0"), False)
    totaux = reponse.context["totaux"]
    assert (totaux["enveloppes"], totaux["engage"], totaux["depassements"], totaux["sans_enveloppe"]) == (
        Decimal("3000"),
        Decimal("3125"),
        1,
        1,
    )
    contenu = reponse.content.decode()
    assert contenu.count(">dépassée<") == 1
    assert "non fixée" in contenu
    assert reverse("missions:enveloppe_modifier", args=[b.uuid]) in contenu


def test_filtres_des_enveloppes(dane_toulouse, jeu):
    assert set(lignes(liste(dane_toulouse, depassements="oui"))) == {"Collège B"}
    tarn = Departement.objects.get(code="081")
    assert set(lignes(liste(dane_toulouse, departement=tarn.pk))) == {"Collège du Tarn"}
    assert set(lignes(liste(dane_toulouse, q="collège a"))) == {"Collège A"}
    totaux = liste(dane_toulouse, depassements="oui").context["totaux"]
    assert (totaux["enveloppes"], totaux["engage"]) == (Decimal("1000"), Decimal("1250"))


def test_l_annee_choisie(dane_toulouse, jeu):
    a = lignes(liste(dane_toulouse, annee="2024-2025"))["Collège A"]
    assert (a.montant_enveloppe, a.montant_engage) == (Decimal("9999"), Decimal("1250"))


def test_la_dane_de_montpellier_ne_voit_que_son_academie(dane_montpellier, jeu):
    assert set(lignes(liste(dane_montpellier))) == {"Collège de l'Hérault"}


@pytest.mark.parametrize("personne", ["chef_a", "correspondant_31", "national"])
def test_pages_reservees_a_la_dane(personne, request, college_a):
    client = client_de(request.getfixturevalue(personne))
    assert client.get(LISTE).status_code == 403
    assert client.get(reverse("missions:enveloppe_modifier", args=[college_a.uuid])).status_code == 403
    assert client.get(TAUX).status_code == 403


@pytest.mark.parametrize("nombre", [20, 60])
def test_nombre_de_requetes_borne(dane_toulouse, django_assert_max_num_queries, nombre):
    for etablissement in EtablissementFactory.create_batch(nombre):
        enveloppe(etablissement, "1000")
        DesignationFactory(etablissement=etablissement)
    client = client_de(dane_toulouse)
    with django_assert_max_num_queries(11):
        reponse = client.get(LISTE, {"annee": ANNEE, "page": 2 if nombre > 50 else 1})
    assert reponse.context["totaux"]["enveloppes"] == 1000 * nombre


# Import


def deposer(utilisateur, contenu, nom="enveloppes.csv", annee_code=ANNEE):
    return client_de(utilisateur).post(
        f"{LISTE}?annee={annee_code}", {"fichier": SimpleUploadedFile(nom, contenu), "annee": annee_code}, follow=True
    )


def messages_de(reponse):
    return [str(message) for message in reponse.context["messages"]]


def test_import_csv_point_virgule_avec_bom(dane_toulouse, jeu, college_a, college_b, college_tarn):
    contenu = f"UAI;Montant\n{college_a.uai};2000\n{college_b.uai.lower()};1 500,50\n\n{college_tarn.uai};750\n"
    reponse = deposer(dane_toulouse, contenu.encode("utf-8-sig"))
    assert messages_de(reponse) == ["3 enveloppes enregistrées pour 2025-2026 (1 nouvelle, 1 modifiée, 1 inchangée)."]
    assert montants() == {
        ("Collège A", ANNEE): Decimal("2000"),
        ("Collège B", ANNEE): Decimal("1500.50"),
        ("Collège du Tarn", ANNEE): Decimal("750"),
        ("Collège A", "2024-2025"): Decimal("9999"),
        ("Collège de l'Hérault", ANNEE): Decimal("5000"),
    }


def test_import_csv_virgule_sans_bom_et_point_decimal(dane_toulouse, college_a, college_b):
    contenu = f'uai,montant,nom\n{college_a.uai},1250.5,Collège A\n{college_b.uai},"625,25",Collège B\n'
    reponse = deposer(dane_toulouse, contenu.encode())
    assert messages_de(reponse) == ["2 enveloppes enregistrées pour 2025-2026 (2 nouvelles, 0 modifiée)."]
    assert montants() == {("Collège A", ANNEE): Decimal("1250.50"), ("Collège B", ANNEE): Decimal("625.25")}


def test_import_xlsx(dane_toulouse, college_a, college_b):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(["uai", "montant"])
    feuille.append([college_a.uai, 3750])
    feuille.append([college_b.uai, 1875.5])
    fichier = io.BytesIO()
    classeur.save(fichier)
    reponse = deposer(dane_toulouse, fichier.getvalue(), nom="enveloppes.xlsx")
    assert messages_de(reponse) == ["2 enveloppes enregistrées pour 2025-2026 (2 nouvelles, 0 modifiée)."]
    assert montants() == {("Collège A", ANNEE): Decimal("3750"), ("Collège B", ANNEE): Decimal("1875.50")}


def test_import_pour_une_autre_annee(dane_toulouse, college_a):
    deposer(dane_toulouse, f"uai;montant\n{college_a.uai};100\n".encode(), annee_code="2026-2027")
    assert montants() == {("Collège A", "2026-2027"): Decimal("100")}


def test_import_tout_ou_rien_chaque_erreur_avec_sa_ligne(dane_toulouse, jeu, college_a, college_b, college_herault):
    ferme = Etablissement.objects.get(nom="Collège fermé")
    contenu = "\n".join(
        [
            "uai;montant",
            f"{college_a.uai};3000",  # ligne 2 : juste, mais rien ne doit être écrit
            f"{college_herault.uai};100",  # 3 : hors de l'académie
            "0000000A;100",  # 4 : inconnu
            f"{ferme.uai};100",  # 5 : fermé
            f"{college_b.uai};beaucoup",  # 6 : illisible
            f"{college_b.uai};-5",  # 7 : double et négatif
            ";100",  # 8 : UAI manquant
            f"{EtablissementFactory().uai};",  # 9 : montant manquant
            f"{college_a.uai};12,345",  # 10 : double et plus de deux décimales
        ]
    )
    avant = montants()
    reponse = deposer(dane_toulouse, contenu.encode())
    assert reponse.status_code == 200
    assert montants() == avant
    erreurs = reponse.context["erreurs_import"]
    assert [erreur.split(" :")[0] for erreur in erreurs] == [f"Ligne {n}" for n in range(3, 11)]
    texte = "\n".join(erreurs)
    assert f"UAI « {college_herault.uai} » inconnu dans votre académie" in texte
    assert "UAI « 0000000A » inconnu" in texte
    assert "Collège fermé" in texte and "est fermé" in texte
    assert "montant « beaucoup » illisible" in texte
    assert f"UAI « {college_b.uai} » en double : déjà en ligne 6" in erreurs[4]
    assert "montant négatif" in erreurs[4]
    assert "UAI manquant" in erreurs[5]
    assert "montant manquant" in erreurs[6]
    assert "déjà en ligne 2" in erreurs[7] and "deux décimales" in erreurs[7]
    contenu_page = reponse.content.decode()
    assert "aucune enveloppe n'a été enregistrée" in contenu_page
    assert "Ligne 6 : montant « beaucoup » illisible" in contenu_page
    assert not messages_de(reponse)


def _requetes_d_un_import(nombre):
    etablissements = EtablissementFactory.create_batch(nombre)
    for etablissement in etablissements[: nombre // 2]:
        enveloppe(etablissement, "5")
    contenu = "uai;montant\n" + "\n".join(f"{e.uai};{rang}" for rang, e in enumerate(etablissements))
    with CaptureQueriesContext(connection) as requetes:
        bilan = importer_enveloppes(
            contenu=contenu.encode(),
            nom_fichier="enveloppes.csv",
            etablissements=Etablissement.objects.filter(academie=academie("16")),
            annee=annee(ANNEE),
        )
    assert bilan.total == nombre
    return len(requetes)


def test_l_import_ecrit_par_lots(db):
    peu = _requetes_d_un_import(10)
    Enveloppe.objects.all().delete()
    assert _requetes_d_un_import(60) == peu


@pytest.mark.parametrize(
    ("contenu", "nom", "attendu"),
    [
        (b"code;somme\n0311131L;100\n", "e.csv", "La première ligne doit nommer les colonnes uai et montant"),
        (b"uai;montant\n", "e.csv", "aucune enveloppe après la ligne d'en-tête"),
        (b"\n;\n\n", "e.csv", "Le fichier est vide"),
        ("uai;montant\n0311131L;1250,50 €\n".encode("cp1252"), "e.csv", "pas encodé en UTF-8"),
        (b"pas un classeur", "e.xlsx", "Ce fichier XLSX est illisible"),
    ],
)
def test_fichiers_refuses(dane_toulouse, contenu, nom, attendu):
    reponse = deposer(dane_toulouse, contenu, nom=nom)
    assert any(attendu in erreur for erreur in reponse.context["erreurs_import"])
    assert not Enveloppe.objects.exists()


def test_extension_refusee(dane_toulouse):
    reponse = deposer(dane_toulouse, b"uai;montant\n", nom="enveloppes.pdf")
    assert "Déposez un fichier CSV" in str(reponse.context["import_form"].errors)


# Modification


def modifier_url(etablissement):
    return reverse("missions:enveloppe_modifier", args=[etablissement.uuid])


def test_fixer_une_enveloppe(dane_toulouse, jeu, college_b):
    client = client_de(dane_toulouse)
    reponse = client.get(modifier_url(college_b), {"annee": ANNEE})
    assert reponse.status_code == 200
    assert reponse.context["form"]["montant"].value() == "1000,00"
    assert reponse.context["engage"] == Decimal("1250")
    reponse = client.post(
        f"{modifier_url(college_b)}?annee={ANNEE}", {"montant": "1 500,50", "annee": ANNEE}, follow=True
    )
    assert montants()[("Collège B", ANNEE)] == Decimal("1500.50")
    assert messages_de(reponse) == ["Enveloppe de Collège B pour 2025-2026 : 1\u202f500,50 €."]
    assert reponse.redirect_chain[-1][0] == f"{LISTE}?annee={ANNEE}"


def test_fixer_une_enveloppe_nouvelle_pour_une_autre_annee(dane_toulouse, college_a):
    client_de(dane_toulouse).post(modifier_url(college_a), {"montant": "0", "annee": "2026-2027"})
    assert montants() == {("Collège A", "2026-2027"): Decimal("0")}


@pytest.mark.parametrize("saisie", ["-10", "douze", "", "1,234"])
def test_montant_refuse(dane_toulouse, college_a, saisie):
    reponse = client_de(dane_toulouse).post(modifier_url(college_a), {"montant": saisie, "annee": ANNEE})
    assert reponse.status_code == 200
    assert reponse.context["form"].errors
    assert not Enveloppe.objects.exists()


def test_enveloppe_hors_academie_ou_fermee(dane_montpellier, dane_toulouse, college_a):
    assert client_de(dane_montpellier).get(modifier_url(college_a)).status_code == 404
    assert client_de(dane_montpellier).post(modifier_url(college_a), {"montant": "5"}).status_code == 404
    ferme = EtablissementFactory(ferme=True)
    assert client_de(dane_toulouse).get(modifier_url(ferme)).status_code == 404
    assert not Enveloppe.objects.exists()


# Taux d'IMP


def autorises(code):
    return set(TauxIMP.objects.filter(academies=academie(code)).values_list("montant", flat=True))


def test_la_page_des_taux(dane_toulouse):
    reponse = client_de(dane_toulouse).get(TAUX)
    contenu = reponse.content.decode()
    assert contenu.count('type="checkbox"') == 5
    assert contenu.count("checked") == 5
    assert "Arrêté du 27 avril 2015" in contenu
    assert "garde son taux" in contenu


def test_autoriser_des_taux(dane_toulouse):
    reponse = client_de(dane_toulouse).post(TAUX, {"taux": [taux(625).pk, taux(1250).pk]}, follow=True)
    assert autorises("16") == {Decimal("625"), Decimal("1250")}
    assert autorises("11") == {Decimal(m) for m in ["312.50", "625", "1250", "2500", "3750"]}
    assert messages_de(reponse) == ["Taux d'IMP autorisés pour les nouvelles désignations : 625 €, 1\u202f250 €."]


def test_au_moins_un_taux(dane_toulouse):
    reponse = client_de(dane_toulouse).post(TAUX, {})
    assert reponse.status_code == 200
    assert "Autorisez au moins un taux" in reponse.content.decode()
    assert len(autorises("16")) == 5


def taux_ancien():
    return TauxIMP.objects.create(
        montant=Decimal("1000"),
        texte="Ancien texte",
        valable_du=datetime.date(2010, 9, 1),
        valable_au=datetime.date(2015, 8, 31),
    )


def test_un_taux_hors_vigueur_garde_son_autorisation(dane_toulouse):
    taux_ancien().academies.add(academie("16"))
    reponse = client_de(dane_toulouse).get(TAUX)
    assert "Ancien texte" not in reponse.content.decode()
    client_de(dane_toulouse).post(TAUX, {"taux": [taux(1250).pk]})
    assert autorises("16") == {Decimal("1000"), Decimal("1250")}


def test_un_taux_hors_vigueur_ne_s_autorise_pas_par_la_page(dane_toulouse):
    reponse = client_de(dane_toulouse).post(TAUX, {"taux": [taux_ancien().pk]})
    assert reponse.context["form"].errors
    assert Decimal("1000") not in autorises("16")


def test_une_designation_existante_garde_son_taux(dane_toulouse, college_a):
    designation = DesignationFactory(etablissement=college_a, taux=taux(2500), montant=Decimal("2500"))
    client_de(dane_toulouse).post(TAUX, {"taux": [taux(1250).pk]})
    designation.refresh_from_db()
    assert designation.taux == taux(2500)
