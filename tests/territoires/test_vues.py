"""Liste des établissements (filtres, recherche, export) et import de l'annuaire par les pages."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rupn.pilotage.demo import FICHIER_ANNUAIRE
from rupn.territoires.models import Bassin, Departement, Etablissement, ImportAnnuaire
from tests.conftest import client_de, lire_csv
from tests.factories import EtablissementFactory, academie

pytestmark = pytest.mark.django_db


@pytest.fixture
def etablissements(college_a, college_b, college_tarn, college_herault):
    bassin = Bassin.objects.create(code="16999", libelle="Bassin test", academie=academie("16"))
    lycee = EtablissementFactory(lycee=True, prive=True, nom="Lycée Saint-Exupéry", commune="Blagnac", bassin=bassin)
    ferme = EtablissementFactory(ferme=True, nom="Collège fermé")
    return {
        "a": college_a,
        "b": college_b,
        "tarn": college_tarn,
        "herault": college_herault,
        "lycee": lycee,
        "ferme": ferme,
    }


def noms_listes(reponse):
    return {etablissement.nom for etablissement in reponse.context["page"]}


def test_la_dane_ne_voit_que_les_etablissements_ouverts_de_son_academie(dane_toulouse, etablissements):
    reponse = client_de(dane_toulouse).get(reverse("territoires:etablissement_liste"))
    assert noms_listes(reponse) == {"Collège A", "Collège B", "Collège du Tarn", "Lycée Saint-Exupéry"}


def test_le_correspondant_ne_voit_que_ses_departements(correspondant_31, etablissements):
    reponse = client_de(correspondant_31).get(reverse("territoires:etablissement_liste"))
    assert "Collège du Tarn" not in noms_listes(reponse)
    assert "Collège A" in noms_listes(reponse)


@pytest.mark.parametrize(
    ("parametres", "attendus"),
    [
        ({"type": "lycee"}, {"Lycée Saint-Exupéry"}),
        ({"secteur": "prive"}, {"Lycée Saint-Exupéry"}),
        ({"q": "blagnac"}, {"Lycée Saint-Exupéry"}),
        ({"q": "exupéry"}, {"Lycée Saint-Exupéry"}),
        ({"etat": "fermes"}, {"Collège fermé"}),
        ({"departement": "081"}, {"Collège du Tarn"}),
    ],
)
def test_filtres_et_recherche(dane_toulouse, etablissements, parametres, attendus):
    if "departement" in parametres:
        parametres = {"departement": Departement.objects.get(code=parametres["departement"]).pk}
    reponse = client_de(dane_toulouse).get(reverse("territoires:etablissement_liste"), parametres)
    assert noms_listes(reponse) == attendus


def test_recherche_par_uai_et_par_bassin(dane_toulouse, etablissements):
    client = client_de(dane_toulouse)
    reponse = client.get(reverse("territoires:etablissement_liste"), {"q": etablissements["a"].uai.lower()})
    assert noms_listes(reponse) == {"Collège A"}
    bassin = etablissements["lycee"].bassin
    reponse = client.get(reverse("territoires:etablissement_liste"), {"bassin": bassin.pk})
    assert noms_listes(reponse) == {"Lycée Saint-Exupéry"}


def test_un_filtre_d_une_autre_academie_est_refuse(dane_toulouse, etablissements):
    herault = Departement.objects.get(code="034")
    reponse = client_de(dane_toulouse).get(reverse("territoires:etablissement_liste"), {"departement": herault.pk})
    assert "Collège de l'Hérault" not in noms_listes(reponse)
    assert "departement" in reponse.context["form"].errors


def test_pagination_et_nombre_de_requetes_borne(dane_toulouse):
    client = client_de(dane_toulouse)
    EtablissementFactory.create_batch(5)
    with CaptureQueriesContext(connection) as peu:
        client.get(reverse("territoires:etablissement_liste"))
    EtablissementFactory.create_batch(120)
    with CaptureQueriesContext(connection) as beaucoup:
        reponse = client.get(reverse("territoires:etablissement_liste"), {"page": 3})
    assert len(beaucoup) == len(peu)
    assert len(beaucoup) <= 15
    assert reponse.context["page"].number == 3
    assert "Page 3 sur 3" in reponse.content.decode()


def test_export_csv_suit_les_filtres_et_le_perimetre(dane_toulouse, etablissements):
    reponse = client_de(dane_toulouse).get(
        reverse("territoires:etablissement_export", args=["csv"]), {"type": "college"}
    )
    assert reponse["Content-Type"].startswith("text/csv")
    contenu = reponse.content.decode("utf-8-sig")
    lignes = lire_csv(contenu)
    assert {ligne["Nom"] for ligne in lignes} == {"Collège A", "Collège B", "Collège du Tarn"}
    assert lignes[0]["UAI"] and lignes[0]["Département"] and lignes[0]["État"] == "ouvert"


def test_export_xlsx(dane_toulouse, etablissements):
    reponse = client_de(dane_toulouse).get(reverse("territoires:etablissement_export", args=["xlsx"]))
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
    lignes = list(classeur.active.iter_rows(values_only=True))
    assert lignes[0][0] == "UAI"
    assert len(lignes) == 1 + 4
    assert "Collège de l'Hérault" not in {ligne[1] for ligne in lignes}


def test_export_format_inconnu(dane_toulouse):
    reponse = client_de(dane_toulouse).get(reverse("territoires:etablissement_export", args=["pdf"]))
    assert reponse.status_code == 404


def test_page_d_un_etablissement_et_de_ses_sections(chef_a, college_a):
    EtablissementFactory(nom="SEP du collège", etablissement_mere=college_a, type_rattachement="SECTION")
    reponse = client_de(chef_a).get(college_a.get_absolute_url())
    contenu = reponse.content.decode()
    assert college_a.uai in contenu
    assert "Sections rattachées" in contenu and "SEP du collège" in contenu
    assert str(chef_a) in contenu


def _deposer(client, contenu, nom="annuaire.csv"):
    return client.post(
        reverse("territoires:import_liste"), {"fichier": SimpleUploadedFile(nom, contenu, content_type="text/csv")}
    )


def test_import_par_les_pages_apercu_puis_confirmation(dane_toulouse):
    client = client_de(dane_toulouse)
    reponse = _deposer(client, FICHIER_ANNUAIRE.read_bytes())
    depot = ImportAnnuaire.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("territoires:import_apercu", args=[depot.uuid])
    assert Etablissement.objects.count() == 0, "l'aperçu n'écrit rien"
    apercu = client.get(reponse["Location"]).content.decode()
    assert "Aperçu de l'import" in apercu and "Nouveaux établissements (579)" in apercu
    assert "Confirmer l'import" in apercu
    reponse = client.post(reverse("territoires:import_confirmer", args=[depot.uuid]), follow=True)
    contenu = reponse.content.decode()
    assert "Import terminé" in contenu and "Nouveaux : 579 · Modifiés : 0" in contenu
    assert Etablissement.objects.filter(academie__code="16").count() == 579
    depot.refresh_from_db()
    assert (depot.statut, depot.avancement) == (ImportAnnuaire.Statut.IMPORTE, 100)
    reponse = client.post(reverse("territoires:import_confirmer", args=[depot.uuid]), follow=True)
    assert "Confirmation impossible : cet import est déjà importé." in reponse.content.decode()


def test_l_avancement_d_une_analyse_en_cours_est_suivi(dane_toulouse):
    from rupn.territoires import imports

    client = client_de(dane_toulouse)
    _deposer(client, FICHIER_ANNUAIRE.read_bytes())
    depot = ImportAnnuaire.objects.get()
    # Un dépôt dont l'analyse tourne encore dans un autre fil d'exécution.
    imports._noter(depot, statut=ImportAnnuaire.Statut.ANALYSE, avancement=40, etape="lecture : 300 / 680 lignes")
    url_avancement = reverse("territoires:import_avancement", args=[depot.uuid])
    assert client.get(url_avancement).json() == {
        "statut": "Analyse en cours",
        "avancement": 40,
        "etape": "lecture : 300 / 680 lignes",
        "termine": False,
    }
    page = client.get(reverse("territoires:import_apercu", args=[depot.uuid])).content.decode()
    assert f'data-rupn-suivi="{url_avancement}"' in page and 'value="40"' in page
    assert "Confirmer l'import" not in page
    reponse = client.post(reverse("territoires:import_confirmer", args=[depot.uuid]), follow=True)
    assert "Confirmation impossible : cet import est déjà analyse en cours." in reponse.content.decode()
    # Sans nouvelle depuis 15 minutes, le traitement est déclaré interrompu.
    ImportAnnuaire.objects.filter(pk=depot.pk).update(maj_le=timezone.now() - datetime.timedelta(minutes=16))
    assert client.get(url_avancement).json()["termine"] is True
    assert (
        "Traitement interrompu" in client.get(reverse("territoires:import_apercu", args=[depot.uuid])).content.decode()
    )


def test_un_fichier_refuse_a_l_analyse_l_explique(dane_toulouse):
    autre_academie = FICHIER_ANNUAIRE.read_bytes().replace(b";16;76;", b";11;76;")
    client = client_de(dane_toulouse)
    reponse = _deposer(client, autre_academie)
    page = client.get(reponse["Location"]).content.decode()
    assert "Fichier refusé" in page and "aucun collège ni lycée de l&#x27;académie de Toulouse" in page
    assert Etablissement.objects.count() == 0


def test_import_d_un_fichier_qui_n_est_pas_l_annuaire(dane_toulouse):
    reponse = _deposer(client_de(dane_toulouse), b"nom;ville\nA;B\n")
    assert reponse.status_code == 200
    assert "colonnes manquantes" in reponse.content.decode()
    assert ImportAnnuaire.objects.count() == 0


def test_import_d_un_fichier_qui_n_est_pas_un_csv(dane_toulouse):
    reponse = _deposer(client_de(dane_toulouse), b"%PDF-1.7", nom="annuaire.pdf")
    assert "Déposez un fichier CSV" in reponse.content.decode()


def test_abandonner_un_apercu(dane_toulouse):
    client = client_de(dane_toulouse)
    _deposer(client, FICHIER_ANNUAIRE.read_bytes())
    depot = ImportAnnuaire.objects.get()
    reponse = client.post(reverse("territoires:import_abandonner", args=[depot.uuid]), follow=True)
    assert "Import abandonné" in reponse.content.decode()
    depot.refresh_from_db()
    assert depot.statut == ImportAnnuaire.Statut.ABANDONNE
    assert Etablissement.objects.count() == 0


def test_la_dane_regle_les_parametres_de_son_academie(dane_toulouse, dane_montpellier):
    client = client_de(dane_toulouse)
    page = client.get(reverse("territoires:academie_parametres")).content.decode()
    assert "Académie de Toulouse (code 16), région académique Occitanie." in page
    reponse = client.post(
        reverse("territoires:academie_parametres"),
        {"libelle_service": "DRANE", "premier_mois_paiement": "11"},
        follow=True,
    )
    assert "Les paramètres de l&#x27;académie sont enregistrés." in reponse.content.decode()
    toulouse, montpellier = academie("16"), academie("11")
    assert (toulouse.libelle_service, toulouse.premier_mois_paiement) == ("DRANE", 11)
    assert (montpellier.libelle_service, montpellier.premier_mois_paiement) == ("DANE", 10), (
        "l'autre académie ne bouge pas"
    )


def test_un_parametre_invalide_est_refuse_en_francais_sans_rien_enregistrer(dane_toulouse):
    reponse = client_de(dane_toulouse).post(
        reverse("territoires:academie_parametres"), {"libelle_service": "DSI", "premier_mois_paiement": "3"}
    )
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Sélectionnez un choix valide" in contenu
    assert academie("16").libelle_service == "DANE"
