"""Listes des lettres de mission : établissement, personne désignée, académie (filtres, compteurs, désignations
sans lettre scellée, périmètre, nombre de requêtes) et export CSV."""

import datetime
import html
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from lettres.models import LettreMission, ModeleLettre
from rupn.territoires.models import AnneeScolaire, Bassin, Departement
from tests.conftest import client_de, lire_csv
from tests.factories import DesignationFactory, EtablissementFactory, UtilisateurFactory, academie, annee

pytestmark = pytest.mark.django_db

ANNEE = "2025-2026"
LISTE = reverse("lettres:lettre_liste")
MES_LETTRES = reverse("lettres:mes_lettres")
ACADEMIE = reverse("lettres:academie_lettres")
EXPORT = reverse("lettres:lettre_export")
Statut = LettreMission.Statut
COLONNES_EXPORT = ["UAI", "Établissement", "Année scolaire", "RUPN", "État", "Code de vérification", "Scellée le"]


def creer_lettre(*designations, statut=Statut.BROUILLON, **champs):
    """Une lettre de l'établissement et de l'année de la première désignation, pour toutes, rédigée à partir du
    modèle courant de l'académie ; une lettre scellée l'est maintenant, sauf date donnée."""
    etablissement, annee_scolaire = designations[0].etablissement, designations[0].annee
    modele = ModeleLettre.objects.courant(etablissement.academie)
    if statut in (Statut.SCELLEE, Statut.REMPLACEE):
        champs.setdefault("scellee_le", timezone.now())
    lettre = LettreMission.objects.create(
        etablissement=etablissement,
        annee=annee_scolaire,
        modele=modele,
        contenu=modele.contenu,
        statut=statut,
        cree_par=UtilisateurFactory(),
        **champs,
    )
    lettre.designations.set(designations)
    return lettre


@pytest.fixture
def jeu(college_a, college_b, college_tarn, college_herault, rupn_a):
    """Des lettres de 2025-2026 dans les deux académies, dans tous les états, et une de l'année précédente."""
    rupn_a.first_name, rupn_a.last_name = "Camille", "Roux"
    rupn_a.save()
    bassin = Bassin.objects.create(code="16999", libelle="Bassin test", academie=academie("16"))
    lycee = EtablissementFactory(lycee=True, prive=True, nom="Lycée Saint-Exupéry", bassin=bassin)
    d = {
        # Collège A
        "a_rupn": DesignationFactory(etablissement=college_a, agent=rupn_a, acceptee=True),
        "a_validee": DesignationFactory(
            etablissement=college_a, validee=True, agent=UtilisateurFactory(first_name="Bruno", last_name="Alvarez")
        ),
        "a_scellee": DesignationFactory(etablissement=college_a, validee=True),
        "a_annulee": DesignationFactory(etablissement=college_a, validee=True),
        "a_sans": DesignationFactory(etablissement=college_a, acceptee=True),
        "a_proposee": DesignationFactory(etablissement=college_a),
        "a_refusee": DesignationFactory(etablissement=college_a, refusee=True),
        "a_passee": DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee("2024-2025"), validee=True),
        # Collège B, Tarn, lycée privé du bassin, Hérault (académie de Montpellier)
        "b": DesignationFactory(etablissement=college_b, validee=True),
        "tarn": DesignationFactory(etablissement=college_tarn, acceptee=True),
        "lycee": DesignationFactory(etablissement=lycee, validee=True),
        "herault": DesignationFactory(etablissement=college_herault, validee=True),
    }
    remplacee = creer_lettre(d["lycee"], statut=Statut.REMPLACEE)
    lettres = {
        "a_relecture": creer_lettre(d["a_rupn"], d["a_validee"], statut=Statut.RELECTURE),
        "a_scellee": creer_lettre(
            d["a_scellee"],
            statut=Statut.SCELLEE,
            scellee_le=datetime.datetime(2026, 6, 30, 12, 5, 12, tzinfo=datetime.UTC),
        ),
        "a_annulee": creer_lettre(d["a_annulee"], statut=Statut.ANNULEE),
        "a_passee": creer_lettre(d["a_passee"], statut=Statut.SCELLEE),
        "b": creer_lettre(d["b"]),
        "tarn": creer_lettre(d["tarn"], statut=Statut.SIGNATURE),
        "lycee_remplacee": remplacee,
        # L'avenant en cours : la désignation du lycée n'a plus de lettre scellée en vigueur.
        "lycee_avenant": creer_lettre(d["lycee"], remplace=remplacee),
        "herault": creer_lettre(d["herault"], statut=Statut.SCELLEE),
    }
    return {"bassin": bassin, "lycee": lycee, "designations": d, "lettres": lettres}


def lettres(jeu, *noms):
    return {jeu["lettres"][nom].pk for nom in noms}


def designations(jeu, *noms):
    return {jeu["designations"][nom].pk for nom in noms}


def texte(reponse):
    return html.unescape(reponse.content.decode())


def academie_lettres(utilisateur, **filtres):
    reponse = client_de(utilisateur).get(ACADEMIE, {"annee": ANNEE, **filtres})
    assert reponse.status_code == 200
    return reponse


def affichees(reponse):
    return {lettre.pk for lettre in reponse.context["page"].object_list}


def sans_lettre_scellee(reponse):
    return {designation.pk for designation in reponse.context["page_designations"].object_list}


def compteurs(reponse):
    return {ligne["libelle"]: ligne["nombre"] for ligne in reponse.context["par_etat"]}


def attendus_par_etat(jeu, *noms):
    """Les compteurs attendus, comptés ici sur les objets du jeu : chaque état, même à zéro."""
    nombres = Counter(Statut(jeu["lettres"][nom].statut).label for nom in noms)
    return {libelle: nombres[libelle] for libelle in Statut.labels}


TOULOUSE_2025 = ("a_relecture", "a_scellee", "a_annulee", "b", "tarn", "lycee_remplacee", "lycee_avenant")


# Direction de l'établissement


@pytest.mark.parametrize("persona", ["chef_a", "adjoint_a"])
def test_la_direction_voit_les_lettres_de_l_annee_et_les_designations_sans_lettre(request, persona, jeu):
    reponse = client_de(request.getfixturevalue(persona)).get(LISTE, {"annee": ANNEE})
    assert reponse.status_code == 200
    assert {lettre.pk for lettre in reponse.context["lettres"]} == lettres(jeu, "a_relecture", "a_scellee", "a_annulee")
    # Ni les proposées ni les refusées, ni celles qu'une lettre en cours ou scellée couvre ; une lettre annulée
    # ne couvre plus rien.
    assert {d.pk for d in reponse.context["sans_lettre"]} == designations(jeu, "a_annulee", "a_sans")
    contenu = texte(reponse)
    for nom in ("a_relecture", "a_scellee", "a_annulee"):
        assert reverse("lettres:lettre_detail", args=[jeu["lettres"][nom].uuid]) in contenu
    assert f"{reverse('lettres:lettre_creer')}?annee={ANNEE}" in contenu
    assert "Bruno Alvarez" in contenu, "les désignations couvertes par chaque lettre"
    assert (
        "En relecture" in contenu and "Signée et scellée" in contenu and "Abandonnée" in contenu
    )  # annulée sans avoir été scellée


def test_la_direction_voit_l_annee_en_cours_par_defaut(chef_a, college_a, jeu):
    courante = AnneeScolaire.objects.courante()
    lettre = creer_lettre(DesignationFactory(etablissement=college_a, annee=courante, validee=True))
    reponse = client_de(chef_a).get(LISTE)
    assert reponse.context["annee"] == courante
    assert [une.pk for une in reponse.context["lettres"]] == [lettre.pk]
    assert not reponse.context["sans_lettre"]
    assert reverse("lettres:lettre_creer") not in texte(reponse), "rien à rédiger : pas de bouton"


def test_une_autre_annee(chef_a, jeu):
    reponse = client_de(chef_a).get(LISTE, {"annee": "2024-2025"})
    assert {lettre.pk for lettre in reponse.context["lettres"]} == lettres(jeu, "a_passee")
    assert client_de(chef_a).get(LISTE, {"annee": "1990-1991"}).status_code == 404


def test_le_chef_b_ne_voit_rien_du_college_a(chef_b, jeu):
    reponse = client_de(chef_b).get(LISTE, {"annee": ANNEE})
    assert {lettre.pk for lettre in reponse.context["lettres"]} == lettres(jeu, "b")
    assert not reponse.context["sans_lettre"]
    assert "Collège A" not in texte(reponse)


# La personne désignée


def test_le_rupn_voit_ses_lettres_de_toutes_les_annees(rupn_a, jeu):
    reponse = client_de(rupn_a).get(MES_LETTRES)
    assert reponse.status_code == 200
    assert [lettre.pk for lettre in reponse.context["lettres"]] == [
        jeu["lettres"]["a_relecture"].pk,  # 2025-2026 d'abord
        jeu["lettres"]["a_passee"].pk,
    ]
    contenu = texte(reponse)
    assert reverse("lettres:lettre_detail", args=[jeu["lettres"]["a_relecture"].uuid]) in contenu
    assert reverse("lettres:lettre_detail", args=[jeu["lettres"]["a_scellee"].uuid]) not in contenu
    assert "2024-2025" in contenu and "En relecture" in contenu


def test_une_personne_sans_designation_n_a_aucune_lettre(chef_a, jeu):
    reponse = client_de(chef_a).get(MES_LETTRES)
    assert reponse.status_code == 200 and list(reponse.context["lettres"]) == []
    assert "Aucune lettre de mission ne porte encore une de vos désignations." in texte(reponse)


# Académie : liste, compteurs, désignations sans lettre scellée


def test_la_dane_voit_les_lettres_de_son_academie_et_les_compte_par_etat(dane_toulouse, jeu):
    reponse = academie_lettres(dane_toulouse)
    assert affichees(reponse) == lettres(jeu, *TOULOUSE_2025)
    assert compteurs(reponse) == attendus_par_etat(jeu, *TOULOUSE_2025)
    assert compteurs(reponse)["Brouillon"] == 2 and reponse.context["total"] == 7
    contenu = texte(reponse)
    assert f"{EXPORT}?annee={ANNEE}" in contenu
    for nom in TOULOUSE_2025:
        assert reverse("lettres:lettre_detail", args=[jeu["lettres"][nom].uuid]) in contenu


def test_les_designations_acceptees_ou_validees_sans_lettre_scellee(dane_toulouse, jeu):
    reponse = academie_lettres(dane_toulouse)
    assert sans_lettre_scellee(reponse) == designations(
        jeu, "a_rupn", "a_validee", "a_annulee", "a_sans", "b", "tarn", "lycee"
    )
    etats = {d.pk: d.lettre_statut for d in reponse.context["page_designations"]}
    d = jeu["designations"]
    assert etats[d["a_rupn"].pk] == Statut.RELECTURE
    assert etats[d["a_annulee"].pk] == Statut.ANNULEE
    assert etats[d["a_sans"].pk] is None
    assert etats[d["lycee"].pk] == Statut.BROUILLON, "l'avenant, plus récent que la lettre remplacée"
    assert reverse("lettres:lettre_detail", args=[jeu["lettres"]["lycee_avenant"].uuid]) in texte(reponse)


LYCEE = ("lycee_remplacee", "lycee_avenant")


@pytest.mark.parametrize(
    ("filtre", "attendues", "sans_lettre"),
    [
        (lambda jeu: {"departement": Departement.objects.get(code="081").pk}, ("tarn",), ("tarn",)),
        (lambda jeu: {"bassin": jeu["bassin"].pk}, LYCEE, ("lycee",)),
        (lambda jeu: {"type": "lycee"}, LYCEE, ("lycee",)),
        (lambda jeu: {"secteur": "prive"}, LYCEE, ("lycee",)),
        (
            lambda jeu: {"type": "college", "secteur": "public"},
            ("a_relecture", "a_scellee", "a_annulee", "b", "tarn"),
            ("a_rupn", "a_validee", "a_annulee", "a_sans", "b", "tarn"),
        ),
    ],
)
def test_filtres_d_etablissement(dane_toulouse, jeu, filtre, attendues, sans_lettre):
    reponse = academie_lettres(dane_toulouse, **filtre(jeu))
    assert affichees(reponse) == lettres(jeu, *attendues)
    assert compteurs(reponse) == attendus_par_etat(jeu, *attendues)
    # Les désignations sans lettre scellée suivent les mêmes filtres d'établissement.
    assert sans_lettre_scellee(reponse) == designations(jeu, *sans_lettre)


def test_filtre_d_etat(dane_toulouse, jeu):
    reponse = academie_lettres(dane_toulouse, statut=Statut.BROUILLON)
    assert affichees(reponse) == lettres(jeu, "b", "lycee_avenant")
    # Les compteurs restent ceux de tous les états, chacun menant à la liste filtrée sur lui.
    assert compteurs(reponse) == attendus_par_etat(jeu, *TOULOUSE_2025)
    ligne = next(ligne for ligne in reponse.context["par_etat"] if ligne["libelle"] == "Signée et scellée")
    assert ligne["url"] == f"?annee={ANNEE}&statut=scellee"
    assert len(sans_lettre_scellee(reponse)) == 7, "l'état des lettres ne filtre pas les désignations"


def test_un_filtre_invalide_ne_montre_rien(dane_toulouse, jeu):
    reponse = academie_lettres(dane_toulouse, statut="inconnu")
    assert affichees(reponse) == set() and sans_lettre_scellee(reponse) == set()
    assert reponse.context["total"] == 0
    assert lire_csv(client_de(dane_toulouse).get(EXPORT, {"annee": ANNEE, "statut": "inconnu"}).content.decode()) == []


def test_une_autre_annee_a_l_academie(dane_toulouse, jeu):
    reponse = academie_lettres(dane_toulouse, annee="2024-2025")
    assert affichees(reponse) == lettres(jeu, "a_passee")
    assert sans_lettre_scellee(reponse) == set()
    assert client_de(dane_toulouse).get(ACADEMIE, {"annee": "1990-1991"}).status_code == 404


def test_l_annee_en_cours_par_defaut(dane_toulouse, jeu):
    reponse = client_de(dane_toulouse).get(ACADEMIE)
    assert reponse.context["annee"] == AnneeScolaire.objects.courante()
    assert affichees(reponse) == set()


# Périmètre


def test_la_dane_de_montpellier_ne_voit_rien_de_toulouse(dane_montpellier, jeu):
    reponse = academie_lettres(dane_montpellier)
    assert affichees(reponse) == lettres(jeu, "herault")
    assert sans_lettre_scellee(reponse) == set(), "la désignation de l'Hérault a sa lettre scellée"
    assert compteurs(reponse) == attendus_par_etat(jeu, "herault")
    contenu = texte(reponse)
    assert "Collège A" not in contenu and "Saint-Exupéry" not in contenu
    lignes = lire_csv(client_de(dane_montpellier).get(EXPORT, {"annee": ANNEE}).content.decode("utf-8-sig"))
    assert [ligne["Établissement"] for ligne in lignes] == ["Collège de l'Hérault"]


def test_le_correspondant_est_limite_a_son_departement(correspondant_31, jeu):
    reponse = academie_lettres(correspondant_31)
    attendues = tuple(nom for nom in TOULOUSE_2025 if nom != "tarn")
    assert affichees(reponse) == lettres(jeu, *attendues)
    assert compteurs(reponse) == attendus_par_etat(jeu, *attendues)
    assert designations(jeu, "tarn").isdisjoint(sans_lettre_scellee(reponse))
    # Un département hors de son périmètre n'est pas un choix valable : rien n'est montré.
    hors_perimetre = academie_lettres(correspondant_31, departement=Departement.objects.get(code="081").pk)
    assert affichees(hors_perimetre) == set()


def test_le_national_voit_toutes_les_academies(national, jeu):
    reponse = academie_lettres(national)
    assert affichees(reponse) == lettres(jeu, *TOULOUSE_2025, "herault")


@pytest.mark.parametrize(
    ("persona", "attendus"),
    [
        ("chef_a", {LISTE: 200, MES_LETTRES: 200, ACADEMIE: 403, EXPORT: 403}),
        ("adjoint_a", {LISTE: 200, MES_LETTRES: 200, ACADEMIE: 403, EXPORT: 403}),
        ("rupn_a", {LISTE: 403, MES_LETTRES: 200, ACADEMIE: 403, EXPORT: 403}),
        ("chef_b", {LISTE: 200, MES_LETTRES: 200, ACADEMIE: 403, EXPORT: 403}),
        ("dane_toulouse", {LISTE: 403, MES_LETTRES: 200, ACADEMIE: 200, EXPORT: 200}),
        ("dane_montpellier", {LISTE: 403, MES_LETTRES: 200, ACADEMIE: 200, EXPORT: 200}),
        ("correspondant_31", {LISTE: 403, MES_LETTRES: 200, ACADEMIE: 200, EXPORT: 200}),
        ("national", {LISTE: 403, MES_LETTRES: 200, ACADEMIE: 200, EXPORT: 200}),
    ],
)
def test_acces_aux_listes(request, persona, attendus, anonyme):
    client = client_de(request.getfixturevalue(persona))
    assert {url: client.get(url).status_code for url in attendus} == attendus
    for url in attendus:
        reponse = anonyme.get(url)
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("account_login"))


def test_le_menu_mene_aux_lettres_de_l_academie(dane_toulouse, correspondant_31):
    for personne in (dane_toulouse, correspondant_31):
        assert f'href="{ACADEMIE}"' in client_de(personne).get(reverse("accueil")).content.decode()


# Export


def test_export_csv_des_lettres_du_filtre(dane_toulouse, jeu):
    reponse = client_de(dane_toulouse).get(
        EXPORT, {"annee": ANNEE, "departement": Departement.objects.get(code="031").pk}
    )
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"] == f'attachment; filename="lettres-031-{ANNEE}.csv"'
    contenu = reponse.content.decode("utf-8")
    assert contenu.startswith("\ufeff") and contenu.splitlines()[0].lstrip("\ufeff") == ";".join(COLONNES_EXPORT)
    lignes = {ligne["Établissement"] + " " + ligne["État"]: ligne for ligne in lire_csv(contenu)}
    assert set(lignes) == {
        "Collège A En relecture",
        "Collège A Signée et scellée",
        "Collège A Annulée",
        "Collège B Brouillon",
        "Lycée Saint-Exupéry Remplacée par un avenant",
        "Lycée Saint-Exupéry Brouillon",
    }
    scellee, relecture = lignes["Collège A Signée et scellée"], lignes["Collège A En relecture"]
    lettre = jeu["lettres"]["a_scellee"]
    assert scellee["UAI"] == lettre.etablissement.uai and scellee["Année scolaire"] == ANNEE
    assert scellee["Code de vérification"] == lettre.code_verification
    assert scellee["Scellée le"] == "2026-06-30 14:05:12", "heure de Paris"
    assert scellee["RUPN"] == jeu["designations"]["a_scellee"].agent.get_full_name()
    assert relecture["RUPN"] == "Bruno Alvarez, Camille Roux", "par ordre alphabétique des noms"
    assert relecture["Code de vérification"] == "" and relecture["Scellée le"] == ""
    assert "@" not in contenu, "aucune adresse électronique"


def test_l_export_suit_le_filtre_d_etat_et_le_nom_de_l_academie(dane_toulouse, jeu):
    reponse = client_de(dane_toulouse).get(EXPORT, {"annee": ANNEE, "statut": Statut.SIGNATURE})
    assert reponse["Content-Disposition"] == f'attachment; filename="lettres-16-{ANNEE}.csv"'
    assert [ligne["Établissement"] for ligne in lire_csv(reponse.content.decode("utf-8-sig"))] == ["Collège du Tarn"]


def test_l_export_ne_contient_aucune_formule(dane_toulouse, college_a):
    college_a.nom = '=HYPERLINK("https://ailleurs.example")'
    college_a.save()
    agent = UtilisateurFactory(first_name="+Jean", last_name="-Dupont")
    creer_lettre(DesignationFactory(etablissement=college_a, agent=agent, validee=True))
    (ligne,) = lire_csv(client_de(dane_toulouse).get(EXPORT, {"annee": ANNEE}).content.decode("utf-8-sig"))
    assert ligne["Établissement"] == '\'=HYPERLINK("https://ailleurs.example")'
    assert ligne["RUPN"] == "'+Jean -Dupont"


# Nombre de requêtes


def creer_volume(nombre):
    """`nombre` établissements de Toulouse, chacun avec une lettre (état tournant) pour deux désignations et
    une désignation sans lettre."""
    departements = list(Departement.objects.filter(code__in=["031", "081"]))
    etats = [Statut.BROUILLON, Statut.RELECTURE, Statut.SIGNATURE, Statut.SCELLEE, Statut.ANNULEE]
    for rang in range(nombre):
        etablissement = EtablissementFactory(departement=departements[rang % 2])
        couvertes = [DesignationFactory(etablissement=etablissement, validee=True) for _ in range(2)]
        creer_lettre(*couvertes, statut=etats[rang % len(etats)])
        DesignationFactory(etablissement=etablissement, acceptee=True)


REQUETES_MAX = 16  # 14 aujourd'hui, quel que soit le volume


@pytest.mark.parametrize("persona", ["dane_toulouse", "correspondant_31", "national"])
@pytest.mark.parametrize("nombre", [5, 40])
def test_la_page_academique_tient_en_un_nombre_borne_de_requetes(
    request, persona, nombre, django_assert_max_num_queries
):
    client = client_de(request.getfixturevalue(persona))
    creer_volume(nombre)
    with django_assert_max_num_queries(REQUETES_MAX):
        reponse = client.get(ACADEMIE, {"annee": ANNEE})
    visibles = nombre if persona != "correspondant_31" else nombre // 2 + nombre % 2
    assert reponse.context["total"] == visibles
    # Par établissement : sa désignation sans lettre, et les deux de sa lettre si elle n'est pas scellée.
    scellees = sum(1 for rang in range(nombre) if rang % 5 == 3 and (persona != "correspondant_31" or rang % 2 == 0))
    assert reponse.context["page_designations"].paginator.count == 3 * visibles - 2 * scellees
    assert len(reponse.context["page_designations"]) == min(50, 3 * visibles - 2 * scellees)


def test_les_deux_tableaux_se_paginent_separement(dane_toulouse):
    creer_volume(60)  # 60 lettres, 156 désignations sans lettre scellée
    client = client_de(dane_toulouse)
    reponse = client.get(ACADEMIE, {"annee": ANNEE, "page": 2, "page_designations": 4})
    assert (reponse.context["page"].number, len(reponse.context["page"])) == (2, 10)
    assert (reponse.context["page_designations"].number, len(reponse.context["page_designations"])) == (4, 6)
    contenu = texte(reponse)
    # Chaque pagination garde la page de l'autre tableau et les filtres.
    assert f"?annee={ANNEE}&page_designations=4&page=1" in contenu
    assert f"?annee={ANNEE}&page=2&page_designations=3#sans-lettre-scellee" in contenu
    assert f'{EXPORT}?annee={ANNEE}"' in contenu
