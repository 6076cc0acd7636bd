"""Les désignations vues par l'académie : filtres, totaux, périmètre, validation par la DANE, exports, commande."""

import datetime
import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions.echeancier import mois_de_mission, montant_du
from missions.models import Designation, TauxIMP, Transition
from rupn.territoires.models import AnneeScolaire, Bassin, Departement
from tests.conftest import client_de, lire_csv, montant_csv
from tests.factories import DesignationFactory, EtablissementFactory, UtilisateurFactory, academie, annee, taux

pytestmark = pytest.mark.django_db

ANNEE = "2025-2026"
LISTE = reverse("missions:academie_designations")
VALIDER = reverse("missions:designations_valider")
Statut = Designation.Statut


def export_url(contenu, format):
    return reverse("missions:designation_export", args=[contenu, format])


@pytest.fixture
def jeu(college_a, college_b, college_tarn, college_herault):
    """Des désignations de 2025-2026 dans les deux académies, et une de l'année précédente."""
    bassin = Bassin.objects.create(code="16999", libelle="Bassin test", academie=academie("16"))
    lycee = EtablissementFactory(lycee=True, prive=True, nom="Lycée Saint-Exupéry", bassin=bassin)
    alice = UtilisateurFactory(first_name="Alice", last_name="Martinez")
    return {
        "bassin": bassin,
        "lycee": lycee,
        "a": DesignationFactory(etablissement=college_a, agent=alice, acceptee=True),
        "b": DesignationFactory(etablissement=college_b, validee=True, taux=taux(625), montant=Decimal("625")),
        "b_refusee": DesignationFactory(etablissement=college_b, refusee=True),
        # Alice est aussi RUPN dans le Tarn, reconnue par un allègement de service.
        "tarn": DesignationFactory(etablissement=college_tarn, agent=alice, acceptee=True, allegement=True),
        "lycee_d": DesignationFactory(etablissement=lycee, taux=taux(2500), montant=Decimal("2500")),
        "herault": DesignationFactory(etablissement=college_herault, acceptee=True),
        "annee_passee": DesignationFactory(etablissement=college_a, annee=annee("2024-2025"), validee=True),
    }


def liste(utilisateur, **filtres):
    reponse = client_de(utilisateur).get(LISTE, {"annee": ANNEE, **filtres})
    assert reponse.status_code == 200
    return reponse


def affichees(reponse):
    return {designation.pk for designation in reponse.context["page"].object_list}


def pks(jeu, *noms):
    return {jeu[nom].pk for nom in noms}


def texte(reponse):
    return html.unescape(reponse.content.decode())


def lignes_csv(reponse_ou_texte):
    texte = reponse_ou_texte if isinstance(reponse_ou_texte, str) else reponse_ou_texte.content.decode("utf-8-sig")
    return lire_csv(texte)


# Liste, filtres et totaux


def test_la_dane_voit_les_designations_de_son_academie_pour_l_annee(dane_toulouse, jeu):
    reponse = liste(dane_toulouse)
    assert affichees(reponse) == pks(jeu, "a", "b", "b_refusee", "tarn", "lycee_d")
    contenu = reponse.content.decode()
    assert jeu["a"].etablissement.uai in contenu and str(jeu["a"].agent) in contenu
    assert jeu["a"].get_absolute_url() in contenu
    assert "Collège de l'Hérault" not in contenu


def test_sans_annee_la_liste_montre_l_annee_en_cours(dane_toulouse, college_a):
    courante = AnneeScolaire.objects.courante()
    designation = DesignationFactory(etablissement=college_a, annee=courante)
    DesignationFactory(etablissement=college_a)  # 2025-2026

    reponse = client_de(dane_toulouse).get(LISTE)

    assert affichees(reponse) == {designation.pk}
    assert f"{export_url('designations', 'csv')}?annee={courante.code}" in reponse.content.decode()


def test_une_annee_inconnue_repond_404(dane_toulouse):
    assert client_de(dane_toulouse).get(LISTE, {"annee": "1999-2000"}).status_code == 404


# Chaque filtre : les paramètres (calculés à partir du jeu) et les désignations attendues.
FILTRES = {
    "departement": (lambda jeu: {"departement": Departement.objects.get(code="081").pk}, ["tarn"]),
    "bassin": (lambda jeu: {"bassin": jeu["bassin"].pk}, ["lycee_d"]),
    "type": (lambda jeu: {"type": "lycee"}, ["lycee_d"]),
    "secteur": (lambda jeu: {"secteur": "prive"}, ["lycee_d"]),
    "etat": (lambda jeu: {"statut": "acceptee"}, ["a", "tarn"]),
    "taux": (lambda jeu: {"reconnaissance": "625.00"}, ["b"]),
    "allegement": (lambda jeu: {"reconnaissance": "allegement"}, ["tarn"]),
    "nom": (lambda jeu: {"q": "martinez"}, ["a", "tarn"]),
    "prenom_et_nom": (lambda jeu: {"q": "Alice Martinez"}, ["a", "tarn"]),
    "etablissement": (lambda jeu: {"q": "Saint-Exupéry"}, ["lycee_d"]),
    "uai": (lambda jeu: {"q": jeu["b"].etablissement.uai}, ["b", "b_refusee"]),
    "annee": (lambda jeu: {"annee": "2024-2025"}, ["annee_passee"]),
}


@pytest.mark.parametrize("nom", FILTRES)
def test_chaque_filtre_restreint_la_liste(dane_toulouse, jeu, nom):
    parametres, attendues = FILTRES[nom]
    assert affichees(liste(dane_toulouse, **parametres(jeu))) == pks(jeu, *attendues)


def test_un_filtre_hors_perimetre_ne_montre_rien(dane_toulouse, jeu):
    reponse = liste(dane_toulouse, departement=Departement.objects.get(code="034").pk)
    assert affichees(reponse) == set()
    assert reponse.context["form"].errors["departement"]


def par_departement(reponse):
    return {
        ligne["etablissement__departement__code"]: (ligne["personnes"], ligne["designations"], ligne["montant"])
        for ligne in reponse.context["par_departement"]
    }


def test_totaux_et_montant_engage_par_departement(dane_toulouse, jeu):
    annulee = DesignationFactory(etablissement=jeu["a"].etablissement, statut=Statut.ANNULEE)
    reponse = liste(dane_toulouse)

    # Ni la refusée du collège B ni l'annulée du collège A ne comptent : Alice (A et Tarn), B, lycée.
    engagees = [jeu[nom] for nom in ("a", "b", "tarn", "lycee_d")]
    assert reponse.context["totaux"] == {
        "personnes": 3,
        "designations": 4,
        "montant": sum(d.montant for d in engagees),
        "a_valider": 2,
    }
    assert reponse.context["totaux"]["montant"] == Decimal("4375")  # 1 250 + 625 + 2 500 ; l'allègement ne coûte rien
    assert par_departement(reponse) == {"031": (3, 3, Decimal("4375")), "081": (1, 1, Decimal("0"))}
    contenu = texte(reponse)
    assert "4\xa0375 €" in contenu
    assert "Désignations engagées" in contenu and "Ni refusées ni annulées" in contenu
    assert annulee.pk in affichees(reponse), "la liste montre toutes les désignations"


def test_le_filtre_etat_liste_les_refusees_sans_les_compter(dane_toulouse, jeu):
    reponse = liste(dane_toulouse, statut="refusee")
    assert affichees(reponse) == pks(jeu, "b_refusee")
    assert reponse.context["totaux"] == {"personnes": 0, "designations": 0, "montant": 0, "a_valider": 0}
    assert par_departement(reponse) == {}
    assert "Aucune désignation engagée ne correspond à ces critères." in texte(reponse)


def test_les_totaux_suivent_les_filtres(dane_toulouse, jeu):
    totaux = liste(dane_toulouse, statut="acceptee").context["totaux"]
    assert totaux == {"personnes": 1, "designations": 2, "montant": Decimal("1250"), "a_valider": 2}


def test_la_dane_d_une_autre_academie_ne_voit_que_la_sienne(dane_montpellier, jeu):
    reponse = liste(dane_montpellier)
    assert affichees(reponse) == pks(jeu, "herault")
    assert reponse.context["totaux"]["designations"] == 1
    assert reponse.context["totaux"]["montant"] == jeu["herault"].montant
    assert [ligne["etablissement__departement__code"] for ligne in reponse.context["par_departement"]] == ["034"]


def test_le_correspondant_ne_voit_que_son_departement(correspondant_31, jeu):
    reponse = liste(correspondant_31)
    assert affichees(reponse) == pks(jeu, "a", "b", "b_refusee", "lycee_d")
    assert reponse.context["totaux"]["designations"] == 3, "la refusée ne compte pas"
    assert 'name="designations"' not in reponse.content.decode(), "seule la DANE valide"


def test_le_national_voit_toutes_les_academies(national, jeu):
    assert affichees(liste(national)) == pks(jeu, "a", "b", "b_refusee", "tarn", "lycee_d", "herault")


def test_la_dane_peut_cocher_les_seules_designations_acceptees(dane_toulouse, jeu):
    contenu = liste(dane_toulouse).content.decode()
    assert f'value="{jeu["a"].uuid}"' in contenu and f'value="{jeu["tarn"].uuid}"' in contenu
    assert f'value="{jeu["b"].uuid}"' not in contenu and f'value="{jeu["lycee_d"].uuid}"' not in contenu
    assert "Valider toutes les désignations acceptées de ce filtre (2)" in contenu


def test_les_liens_d_export_gardent_les_filtres(dane_toulouse, jeu):
    contenu = liste(dane_toulouse, statut="acceptee").content.decode()
    for contenu_export in ("designations", "echeancier"):
        for format in ("csv", "xlsx"):
            assert f"{export_url(contenu_export, format)}?annee={ANNEE}&amp;statut=acceptee" in contenu


def creer_designations(nombre):
    departements = list(Departement.objects.filter(code__in=["031", "081"]))
    for rang in range(nombre):
        etablissement = EtablissementFactory(departement=departements[rang % 2])
        precedente = DesignationFactory(etablissement=etablissement, statut="validee" if rang % 2 else "acceptee")
        DesignationFactory(etablissement=etablissement, remplace=precedente, allegement=rang % 3 == 0)


def requetes_de_la_liste(client):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(LISTE, {"annee": ANNEE})
    assert reponse.status_code == 200
    return len(requetes)


REQUETES_LISTE_MAX = 18  # 15 aujourd'hui ; la marge absorbe le menu


@pytest.mark.parametrize("persona", ["dane_toulouse", "correspondant_31", "national"])
def test_la_liste_tient_en_un_nombre_borne_de_requetes(request, persona, django_assert_max_num_queries):
    client = client_de(request.getfixturevalue(persona))
    creer_designations(15)  # 30 désignations
    with django_assert_max_num_queries(REQUETES_LISTE_MAX):
        assert client.get(LISTE, {"annee": ANNEE}).status_code == 200
    avec_30 = requetes_de_la_liste(client)
    creer_designations(15)  # 60 désignations : deux pages
    with django_assert_max_num_queries(REQUETES_LISTE_MAX):
        assert client.get(LISTE, {"annee": ANNEE}).status_code == 200
    assert requetes_de_la_liste(client) == avec_30


# Validation par la DANE


def test_la_dane_valide_une_designation_depuis_sa_page(dane_toulouse, jeu, django_capture_on_commit_callbacks):
    designation = jeu["a"]
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(dane_toulouse).post(
            VALIDER, {"designations": [designation.uuid], "next": designation.get_absolute_url()}
        )

    assert reponse.status_code == 302 and reponse["Location"] == designation.get_absolute_url()
    designation.refresh_from_db()
    assert designation.statut == Statut.VALIDEE
    transition = Transition.objects.get(designation=designation, vers=Statut.VALIDEE)
    assert (transition.de, transition.par) == (Statut.ACCEPTEE, dane_toulouse)
    assert len(mail.outbox) == 1 and designation.agent.email in mail.outbox[0].to
    assert "validée" in mail.outbox[0].subject


def test_message_de_succes_et_retour_a_la_liste(dane_toulouse, jeu):
    client = client_de(dane_toulouse)
    reponse = client.post(VALIDER, {"designations": [jeu["a"].uuid, jeu["tarn"].uuid]}, follow=True)
    assert reponse.redirect_chain[-1][0] == LISTE
    assert "2 désignations validées." in reponse.content.decode()


def test_un_next_externe_est_ignore(dane_toulouse, jeu):
    reponse = client_de(dane_toulouse).post(
        VALIDER, {"designations": [jeu["a"].uuid], "next": "https://ailleurs.example/"}
    )
    assert reponse["Location"] == LISTE


def test_valider_toutes_les_acceptees_du_filtre(dane_toulouse, jeu, django_capture_on_commit_callbacks):
    filtre = {"annee": ANNEE, "departement": Departement.objects.get(code="031").pk}
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(dane_toulouse).post(
            f"{VALIDER}?annee={ANNEE}&departement={filtre['departement']}", {"tout": "1"}
        )

    assert reponse.status_code == 302
    assert reponse["Location"] == f"{LISTE}?annee={ANNEE}&departement={filtre['departement']}"
    statuts = dict(Designation.objects.values_list("pk", "statut"))
    assert statuts[jeu["a"].pk] == Statut.VALIDEE
    assert statuts[jeu["tarn"].pk] == Statut.ACCEPTEE, "hors du filtre (Tarn)"
    assert statuts[jeu["herault"].pk] == Statut.ACCEPTEE, "hors de l'académie"
    assert statuts[jeu["lycee_d"].pk] == Statut.PROPOSEE, "pas encore acceptée"
    assert Transition.objects.filter(vers=Statut.VALIDEE).count() == 1
    assert [message.to for message in mail.outbox] == [[jeu["a"].agent.email]]


def test_valider_en_lot_ignore_les_designations_d_une_autre_academie(dane_toulouse, jeu):
    client_de(dane_toulouse).post(VALIDER, {"designations": [jeu["a"].uuid, jeu["tarn"].uuid, jeu["herault"].uuid]})
    statuts = dict(Designation.objects.values_list("pk", "statut"))
    assert (statuts[jeu["a"].pk], statuts[jeu["tarn"].pk]) == (Statut.VALIDEE, Statut.VALIDEE)
    assert statuts[jeu["herault"].pk] == Statut.ACCEPTEE


@pytest.mark.parametrize("designations", [["herault"], []])
def test_rien_a_valider_dans_son_academie(dane_toulouse, jeu, designations):
    reponse = client_de(dane_toulouse).post(
        VALIDER, {"designations": [jeu[nom].uuid for nom in designations] + ["pas-un-uuid"]}, follow=True
    )
    assert "Aucune désignation de votre académie n'a été choisie" in texte(reponse)
    assert Designation.objects.get(pk=jeu["herault"].pk).statut == Statut.ACCEPTEE
    assert not Transition.objects.exists()


def test_la_dane_de_montpellier_ne_valide_pas_a_toulouse(dane_montpellier, jeu):
    reponse = client_de(dane_montpellier).post(VALIDER, {"designations": [jeu["a"].uuid], "tout": ""}, follow=True)
    assert "Aucune désignation de votre académie" in texte(reponse)
    assert Designation.objects.get(pk=jeu["a"].pk).statut == Statut.ACCEPTEE


def test_une_designation_non_acceptee_n_est_pas_validee(dane_toulouse, jeu, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(dane_toulouse).post(
            VALIDER, {"designations": [jeu["lycee_d"].uuid, jeu["b"].uuid]}, follow=True
        )
    contenu = texte(reponse)
    assert "2 désignations n'étaient pas acceptées et restent en l'état" in contenu
    assert "désignation validée" not in contenu
    assert Designation.objects.get(pk=jeu["lycee_d"].pk).statut == Statut.PROPOSEE
    assert Designation.objects.get(pk=jeu["b"].pk).statut == Statut.VALIDEE
    assert not Transition.objects.exists() and mail.outbox == []


def test_valider_exige_un_post(dane_toulouse):
    assert client_de(dane_toulouse).get(VALIDER).status_code == 405


@pytest.mark.parametrize("persona", ["correspondant_31", "national", "chef_a"])
def test_seule_la_dane_valide(request, persona, jeu):
    reponse = client_de(request.getfixturevalue(persona)).post(VALIDER, {"designations": [jeu["a"].uuid]})
    assert reponse.status_code == 403
    assert Designation.objects.get(pk=jeu["a"].pk).statut == Statut.ACCEPTEE


# Exports

COLONNES_DESIGNATIONS = [
    "UAI",
    "Établissement",
    "Département",
    "Bassin de formation",
    "Type",
    "Secteur",
    "Nom",
    "Prénom",
    "Adresse électronique",
    "Reconnaissance",
    "Taux annuel (€)",
    "Allègement (heures par semaine)",
    "Montant dû (€)",
    "Mois de mission",
    "Début",
    "Fin",
    "État",
    "Remplace",
]


def test_export_csv_des_designations(dane_toulouse, jeu):
    remplacante = DesignationFactory(
        etablissement=jeu["a"].etablissement,
        remplace=jeu["a"],
        debut=datetime.date(2026, 1, 1),
        nb_mois=8,
        montant=montant_du(1250, 8),
    )
    reponse = client_de(dane_toulouse).get(export_url("designations", "csv"), {"annee": ANNEE})

    assert reponse["Content-Type"].startswith("text/csv")
    assert reponse["Content-Disposition"] == f'attachment; filename="designations-16-{ANNEE}.csv"'
    assert reponse.content.startswith("\ufeff".encode())
    lignes = lignes_csv(reponse)
    assert list(lignes[0]) == COLONNES_DESIGNATIONS
    par_uai_et_nom = {(ligne["UAI"], ligne["Nom"]): ligne for ligne in lignes}
    assert len(lignes) == 6 and jeu["herault"].etablissement.uai not in {ligne["UAI"] for ligne in lignes}
    a = par_uai_et_nom[(jeu["a"].etablissement.uai, "Martinez")]
    assert a["Prénom"] == "Alice"
    # L'adresse distingue deux homonymes ; une désignation refusée ou annulée ne doit rien.
    assert a["Adresse électronique"] == jeu["a"].agent.email
    assert (a["Département"], a["Type"], a["Secteur"]) == ("031", "Collège", "Public")
    assert (a["Reconnaissance"], a["Taux annuel (€)"], a["Montant dû (€)"]) == ("IMP", "1250,00", "1250,00")
    assert (a["Mois de mission"], a["Début"], a["Fin"], a["État"]) == ("12", "2025-09-01", "2026-08-31", "Acceptée")
    tarn = par_uai_et_nom[(jeu["tarn"].etablissement.uai, "Martinez")]
    assert (tarn["Reconnaissance"], tarn["Taux annuel (€)"], tarn["Allègement (heures par semaine)"]) == (
        "allègement de service",
        "",
        "2,0",
    )
    assert par_uai_et_nom[(jeu["lycee_d"].etablissement.uai, jeu["lycee_d"].agent.last_name)][
        "Bassin de formation"
    ] == ("Bassin test")
    assert par_uai_et_nom[(jeu["a"].etablissement.uai, remplacante.agent.last_name)]["Remplace"] == "Alice Martinez"


def test_export_xlsx_suit_les_filtres(dane_toulouse, jeu):
    reponse = client_de(dane_toulouse).get(
        export_url("designations", "xlsx"), {"annee": ANNEE, "departement": Departement.objects.get(code="081").pk}
    )
    assert reponse["Content-Disposition"] == f'attachment; filename="designations-081-{ANNEE}.xlsx"'
    lignes = list(openpyxl.load_workbook(io.BytesIO(reponse.content)).active.iter_rows(values_only=True))
    assert list(lignes[0]) == COLONNES_DESIGNATIONS
    assert len(lignes) == 2 and lignes[1][0] == jeu["tarn"].etablissement.uai


def test_export_xlsx_garde_des_nombres(dane_toulouse, jeu):
    reponse = client_de(dane_toulouse).get(export_url("designations", "xlsx"), {"annee": ANNEE, "statut": "validee"})
    lignes = list(openpyxl.load_workbook(io.BytesIO(reponse.content)).active.iter_rows(values_only=True))
    ligne = dict(zip(lignes[0], lignes[1], strict=True))
    assert ligne["Montant dû (€)"] == 625 and ligne["Mois de mission"] == 12
    assert ligne["Début"].date() == datetime.date(2025, 9, 1)


COLONNES_ECHEANCIER = [
    "UAI",
    "Établissement",
    "Nom",
    "Prénom",
    "Adresse électronique",
    "Mois de paiement",
    "Montant (€)",
    "État",
]
NEUF_MOIS_D_OCTOBRE = [
    "2025-10",
    "2025-11",
    "2025-12",
    "2026-01",
    "2026-02",
    "2026-03",
    "2026-04",
    "2026-05",
    "2026-06",
]


def sommes_par_personne(lignes):
    sommes = {}
    for ligne in lignes:
        cle = (ligne["UAI"], ligne["Nom"])
        sommes[cle] = sommes.get(cle, 0) + montant_csv(ligne["Montant (€)"])
    return sommes


def test_export_de_l_echeancier(dane_toulouse, jeu):
    debut = datetime.date(2026, 1, 10)
    nb_mois = len(mois_de_mission(datetime.date(2025, 9, 1), debut, datetime.date(2026, 8, 31)))
    en_cours_d_annee = DesignationFactory(
        etablissement=jeu["b"].etablissement,
        debut=debut,
        nb_mois=nb_mois,
        montant=montant_du(1250, nb_mois),
        validee=True,
    )
    reponse = client_de(dane_toulouse).get(export_url("echeancier", "csv"), {"annee": ANNEE})

    assert reponse["Content-Disposition"] == f'attachment; filename="echeancier-16-{ANNEE}.csv"'
    lignes = lignes_csv(reponse)
    assert list(lignes[0]) == COLONNES_ECHEANCIER
    # Ni l'acceptée non validée (A), ni la proposée (lycée), ni la refusée, ni l'allègement, ni l'Hérault.
    payees = [jeu["b"], en_cours_d_annee]
    assert sommes_par_personne(lignes) == {(d.etablissement.uai, d.agent.last_name): d.montant for d in payees}
    assert {ligne["État"] for ligne in lignes} == {"Validée"}
    assert [ligne["Mois de paiement"] for ligne in lignes if ligne["Nom"] == jeu["b"].agent.last_name] == (
        NEUF_MOIS_D_OCTOBRE
    )
    assert [ligne["Mois de paiement"] for ligne in lignes if ligne["Nom"] == en_cours_d_annee.agent.last_name][
        0
    ] == "2026-01"


def test_l_echeancier_ne_paie_que_les_designations_validees_ou_terminees_au_montant_enregistre(jeu):
    etablissement = EtablissementFactory()
    designations = {
        statut: DesignationFactory(etablissement=etablissement, statut=statut, agent__last_name=statut.label)
        for statut in Statut
    }
    termine_en_janvier = DesignationFactory(
        etablissement=etablissement,
        statut=Statut.TERMINEE,
        fin=datetime.date(2026, 1, 31),
        agent__last_name="Terminée en janvier",
    )
    # Le taux de 1 250 € est revu après coup : ce qui est dû reste ce qui a été enregistré.
    TauxIMP.objects.filter(pk=designations[Statut.VALIDEE].taux_id).update(montant=Decimal("1500"))

    lignes = [
        ligne
        for ligne in lignes_csv(commande(academie="16", annee=ANNEE, format="csv", contenu="echeancier"))
        if ligne["UAI"] == etablissement.uai
    ]

    assert sommes_par_personne(lignes) == {
        (etablissement.uai, "Validée"): Decimal("1250"),
        (etablissement.uai, "Terminée"): Decimal("1250"),
        (etablissement.uai, "Terminée en janvier"): termine_en_janvier.montant,
    }
    assert termine_en_janvier.montant == montant_du(1250, 5)
    assert {ligne["Nom"]: ligne["État"] for ligne in lignes} == {
        "Validée": "Validée",
        "Terminée": "Terminée",
        "Terminée en janvier": "Terminée",
    }


def test_l_echeancier_suit_le_premier_mois_de_paiement_fixe_a_la_proposition(dane_toulouse, jeu):
    toulouse = academie("16")
    toulouse.premier_mois_paiement = 11
    toulouse.save()
    # Proposée après le changement de réglage : elle a enregistré novembre ; celle du collège B garde octobre.
    apres = DesignationFactory(etablissement=jeu["a"].etablissement, validee=True, premier_mois_paiement=11)
    reponse = client_de(dane_toulouse).get(export_url("echeancier", "xlsx"), {"annee": ANNEE, "statut": "validee"})
    entete, *lignes = openpyxl.load_workbook(io.BytesIO(reponse.content)).active.iter_rows(values_only=True)
    lignes = [dict(zip(entete, ligne, strict=True)) for ligne in lignes]

    def mois_de(designation):
        return [ligne["Mois de paiement"] for ligne in lignes if ligne["Nom"] == designation.agent.last_name]

    assert mois_de(jeu["b"]) == NEUF_MOIS_D_OCTOBRE
    assert mois_de(apres)[0] == "2025-11" and mois_de(apres)[-1] == "2026-07"
    assert sum(Decimal(str(ligne["Montant (€)"])) for ligne in lignes if ligne["Nom"] == apres.agent.last_name) == (
        apres.montant
    )


def test_les_exports_de_montpellier_ne_contiennent_pas_toulouse(dane_montpellier, jeu):
    DesignationFactory(etablissement=jeu["herault"].etablissement, validee=True)  # payée : dans l'échéancier
    client = client_de(dane_montpellier)
    for contenu in ("designations", "echeancier"):
        reponse = client.get(export_url(contenu, "csv"), {"annee": ANNEE})
        assert {ligne["UAI"] for ligne in lignes_csv(reponse)} == {jeu["herault"].etablissement.uai}


def test_les_exports_du_correspondant_se_limitent_a_son_departement(correspondant_31, jeu):
    reponse = client_de(correspondant_31).get(export_url("designations", "csv"), {"annee": ANNEE})
    assert reponse["Content-Disposition"] == f'attachment; filename="designations-16-{ANNEE}.csv"'
    assert {ligne["Département"] for ligne in lignes_csv(reponse)} == {"031"}
    assert len(lignes_csv(reponse)) == 4


def test_export_du_national_nomme_son_perimetre(national, jeu):
    reponse = client_de(national).get(export_url("designations", "csv"), {"annee": ANNEE})
    assert reponse["Content-Disposition"] == f'attachment; filename="designations-national-{ANNEE}.csv"'
    assert len(lignes_csv(reponse)) == 6


@pytest.mark.parametrize("contenu", ["designations", "echeancier"])
def test_les_exports_ne_font_pas_une_requete_par_ligne(dane_toulouse, contenu):
    client = client_de(dane_toulouse)

    def requetes():
        with CaptureQueriesContext(connection) as capture:
            reponse = client.get(export_url(contenu, "csv"), {"annee": ANNEE})
        assert reponse.status_code == 200 and lignes_csv(reponse)
        return len(capture)

    creer_designations(15)
    avec_30 = requetes()
    creer_designations(15)
    assert requetes() == avec_30


@pytest.mark.parametrize(("contenu", "format"), [("designations", "pdf"), ("lettres", "csv")])
def test_export_inconnu(dane_toulouse, contenu, format):
    assert client_de(dane_toulouse).get(export_url(contenu, format), {"annee": ANNEE}).status_code == 404


def test_export_refuse_aux_etablissements(chef_a):
    assert client_de(chef_a).get(export_url("designations", "csv"), {"annee": ANNEE}).status_code == 403


# Commande exporter_designations


def commande(**options):
    sortie = io.StringIO()
    call_command("exporter_designations", stdout=sortie, **options)
    return sortie.getvalue()


def test_commande_csv_sur_la_sortie_standard(jeu):
    lignes = lignes_csv(commande(academie="16", annee=ANNEE, format="csv"))
    assert list(lignes[0]) == COLONNES_DESIGNATIONS
    assert {ligne["UAI"] for ligne in lignes} == {
        jeu[nom].etablissement.uai for nom in ("a", "b", "b_refusee", "tarn", "lycee_d")
    }


def test_commande_echeancier_xlsx_dans_un_fichier(jeu, tmp_path):
    validee = DesignationFactory(etablissement=jeu["herault"].etablissement, validee=True)
    fichier = tmp_path / "echeancier.xlsx"
    message = commande(academie="11", annee=ANNEE, format="xlsx", contenu="echeancier", sortie=str(fichier))
    lignes = list(openpyxl.load_workbook(fichier).active.iter_rows(values_only=True))
    assert list(lignes[0]) == COLONNES_ECHEANCIER
    assert len(lignes) == 1 + 9 and {ligne[2] for ligne in lignes[1:]} == {validee.agent.last_name}
    assert sum(Decimal(str(ligne[6])) for ligne in lignes[1:]) == validee.montant
    assert "9 ligne(s) exportée(s)" in message


def test_commande_csv_dans_un_fichier_avec_bom(jeu, tmp_path):
    fichier = tmp_path / "designations.csv"
    commande(academie="16", annee="2024-2025", format="csv", sortie=str(fichier))
    assert fichier.read_bytes().startswith("\ufeff".encode())
    assert [ligne["UAI"] for ligne in lignes_csv(fichier.read_text("utf-8-sig"))] == [
        jeu["annee_passee"].etablissement.uai
    ]


@pytest.mark.parametrize(
    ("options", "erreur"),
    [
        ({"academie": "99", "annee": ANNEE, "format": "csv"}, "Académie inconnue : « 99 »"),
        ({"academie": "16", "annee": "2031-2032", "format": "csv"}, "Année scolaire inconnue : « 2031-2032 »"),
        ({"academie": "16", "annee": ANNEE, "format": "xlsx"}, "indiquez le fichier avec --sortie"),
    ],
)
def test_erreurs_de_la_commande(jeu, options, erreur):
    with pytest.raises(CommandError, match=erreur):
        commande(**options)
