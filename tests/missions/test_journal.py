"""Journal d'activités du RUPN : règles de saisie, écritures par le seul auteur, liste filtrée et totaux,
export CSV, résumé pour l'enquête, périmètre de lecture."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lettres.modele_par_defaut import contenu_par_defaut
from missions import journal
from missions.models import Activite, Designation
from rupn.comptes.models import Role
from rupn.navigation import menu_pour
from tests.conftest import client_de, lire_csv
from tests.factories import DesignationFactory, RoleFactory
from tests.missions.factories import ActiviteFactory, annee_courante, annee_precedente, jour_de

pytestmark = pytest.mark.django_db

Categorie = Activite.Categorie
URL_LISTE = reverse("missions:journal")
URL_CREER = reverse("missions:journal_creer")
URL_EXPORT = reverse("missions:journal_export")


def texte(reponse):
    return html.unescape(reponse.content.decode())


@pytest.fixture
def mission_a(college_a, rupn_a):
    """La mission validée de rupn_a au collège A pour l'année en cours."""
    return DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_courante(), validee=True)


@pytest.fixture
def mission_passee_a(college_a, rupn_a):
    """Sa mission de l'année précédente au collège A : toutes ses dates sont passées."""
    return DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_precedente(), validee=True)


def saisie(designation, **champs):
    """Les données d'un envoi du formulaire d'une entrée."""
    return {
        "mission": str(designation.uuid),
        "date": champs.pop("date", min(timezone.localdate(), designation.annee.fin)).isoformat(),
        "categorie": Categorie.FORMATION,
        "duree": "1,5",
        "personnes_touchees": "6",
        "axe": "2",
        "description": "Atelier sur les manuels numériques avec l'équipe de lettres.",
        **champs,
    }


def creer(designation, **champs):
    valeurs = {
        "date": jour_de(designation.annee, 10),
        "categorie": Categorie.ACCOMPAGNEMENT,
        "duree": Decimal("1"),
        "description": "Aide à un collègue.",
        **champs,
    }
    return journal.activite_creer(par=designation.agent, designation=designation, **valeurs)


# Saisie


def test_la_saisie_rapide_enregistre_l_entree_et_lit_1_virgule_5_heure(rupn_a, mission_a):
    client = client_de(rupn_a)

    reponse = client.post(URL_CREER, saisie(mission_a))

    assert reponse.status_code == 302
    assert reponse["Location"] == f"{URL_LISTE}?annee={mission_a.annee.code}"
    activite = Activite.objects.get()
    assert activite.designation == mission_a
    assert activite.date == min(timezone.localdate(), mission_a.annee.fin)
    assert activite.categorie == Categorie.FORMATION
    assert activite.duree == Decimal("1.5")
    assert activite.personnes_touchees == 6
    assert activite.axe == Activite.Axe.ENSEIGNANTS
    assert activite.description == "Atelier sur les manuels numériques avec l'équipe de lettres."
    contenu = texte(client.get(reponse["Location"]))
    assert "Entrée ajoutée au journal : Formation ou atelier animé" in contenu
    assert "1,5 h" in contenu


def test_axe_personnes_et_point_decimal_sont_facultatifs_ou_acceptes(rupn_a, mission_a):
    reponse = client_de(rupn_a).post(URL_CREER, saisie(mission_a, axe="", personnes_touchees="", duree="0.25"))

    assert reponse.status_code == 302
    activite = Activite.objects.get()
    assert (activite.axe, activite.personnes_touchees, activite.duree) == (None, None, Decimal("0.25"))


def test_la_page_complete_propose_aujourd_hui_et_les_axes_lisibles(rupn_a, mission_a):
    reponse = client_de(rupn_a).get(URL_CREER)

    assert reponse.status_code == 200
    formulaire = reponse.context["form"]
    assert formulaire["date"].value() == min(timezone.localdate(), mission_a.annee.fin)
    assert formulaire.fields["mission"].widget.is_hidden  # une seule mission : rien à choisir
    contenu = texte(reponse)
    assert "Axe 2 — Accompagner les enseignants dans leurs usages pédagogiques du numérique" in contenu
    assert f"Mission : Collège A ({mission_a.annee})." in contenu
    assert '<label for="id_duree" class="fr-label">' in contenu


def test_les_titres_des_axes_sont_ceux_du_modele_de_lettre_par_defaut():
    titres = [axe["titre"] for axe in contenu_par_defaut()["axes"]]
    assert [libelle for _, libelle in Activite.Axe.choices] == [
        f"Axe {rang} — {titre}" for rang, titre in enumerate(titres, start=1)
    ]


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    [
        ({"duree": "-1"}, "duree", "indiquez un nombre positif ou nul"),
        ({"duree": "1,1"}, "duree", "La durée se compte au quart d'heure"),
        ({"duree": "150"}, "duree", "Une entrée compte au plus 100 heures"),
        ({"duree": "une heure"}, "duree", "Indiquez la durée en heures, par exemple 1,5"),
        (
            {"description": "x" * 2001},
            "description",
            "La description compte 2\u202f001 caractères : 2\u202f000 au plus.",
        ),
        ({"description": "   "}, "description", "Décrivez l'activité en quelques mots."),
        ({"categorie": ""}, "categorie", "Choisissez la catégorie de l'activité."),
        ({"personnes_touchees": "-3"}, "personnes_touchees", "Le nombre de personnes touchées est positif ou nul."),
    ],
)
def test_une_saisie_fausse_revient_avec_son_erreur_en_francais_sur_le_champ(rupn_a, mission_a, champs, champ, message):
    reponse = client_de(rupn_a).post(URL_CREER, saisie(mission_a, **champs))

    assert reponse.status_code == 400
    assert message in " ".join(reponse.context["form"].errors[champ])
    contenu = texte(reponse)
    # L'erreur est rendue sous le champ, dans le bloc que le DSFR relie à lui.
    assert f'id="id_{champ}-desc-error"' in contenu and message in contenu
    assert not Activite.objects.exists()


def test_une_date_hors_de_l_annee_de_la_mission_est_refusee(rupn_a, mission_passee_a):
    hors = mission_passee_a.annee.debut - datetime.timedelta(days=1)

    reponse = client_de(rupn_a).post(URL_CREER, saisie(mission_passee_a, date=hors))

    assert reponse.status_code == 400
    annee = mission_passee_a.annee
    assert reponse.context["form"].errors["date"] == [
        f"Cette mission est celle de l'année scolaire {annee} : choisissez une date "
        f"du {annee.debut:%d/%m/%Y} au {annee.fin:%d/%m/%Y}."
    ]


def test_une_date_a_venir_est_refusee(rupn_a, mission_a):
    demain = timezone.localdate() + datetime.timedelta(days=1)

    reponse = client_de(rupn_a).post(URL_CREER, saisie(mission_a, date=demain))

    assert reponse.status_code == 400
    assert reponse.context["form"].errors["date"] == [
        "Cette date est à venir : le journal note ce qui a été fait, au plus tard aujourd'hui."
    ]


def test_le_service_verifie_les_memes_regles(mission_passee_a):
    with pytest.raises(ValidationError) as erreur:
        creer(mission_passee_a, duree=Decimal("-0.5"), description="x" * 2001)
    assert set(erreur.value.message_dict) == {"duree", "description"}
    with pytest.raises(ValidationError) as erreur:
        creer(mission_passee_a, date=mission_passee_a.annee.fin + datetime.timedelta(days=1))
    assert "date" in erreur.value.message_dict


def test_seule_la_personne_designee_ecrit_sur_sa_mission(mission_a, chef_a):
    with pytest.raises(PermissionDenied):
        journal.activite_creer(
            par=chef_a,
            designation=mission_a,
            date=timezone.localdate(),
            categorie=Categorie.AUTRE,
            duree=Decimal(1),
            description="Pas la sienne.",
        )
    assert not Activite.objects.exists()


@pytest.mark.parametrize("statut", ["proposee", "refusee", "annulee"])
def test_une_mission_non_acceptee_n_a_pas_de_journal(rupn_a, college_a, statut):
    designation = DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_precedente(), statut=statut)

    with pytest.raises(ValidationError, match="le journal ne s'écrit que pour une désignation acceptée"):
        creer(designation)
    # Et elle n'est pas proposée dans le formulaire (un envoi forgé est refusé).
    reponse = client_de(rupn_a).post(URL_CREER, saisie(designation))
    assert reponse.status_code == 200 and reponse.context["form"] is None
    assert not Activite.objects.exists()


@pytest.mark.parametrize("statut", ["acceptee", "validee", "terminee"])
def test_une_mission_acceptee_validee_ou_terminee_a_son_journal(college_a, rupn_a, statut):
    designation = DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_precedente(), statut=statut)
    assert creer(designation).designation == designation


def test_la_mission_d_une_autre_personne_ne_peut_etre_choisie(rupn_a, mission_a, college_a):
    autre = DesignationFactory(etablissement=college_a, annee=annee_courante(), validee=True)

    reponse = client_de(rupn_a).post(URL_CREER, saisie(autre))

    assert reponse.status_code == 400
    # Le choix est caché (une seule mission) : l'erreur est montrée en tête du formulaire.
    assert "Cette mission n'est pas ouverte à votre journal" in " ".join(reponse.context["form"].non_field_errors())
    assert "Cette mission n'est pas ouverte à votre journal" in texte(reponse)
    assert not Activite.objects.exists()


# Modification et suppression


def test_l_auteur_modifie_son_entree(rupn_a, mission_a):
    activite = ActiviteFactory(designation=mission_a)
    client = client_de(rupn_a)
    url = reverse("missions:journal_modifier", args=[activite.uuid])

    assert client.get(url).context["form"]["duree"].value() == Decimal("1.50")
    reponse = client.post(url, saisie(mission_a, categorie=Categorie.COMMISSION, duree="2,25", axe="1"))

    assert reponse.status_code == 302
    activite.refresh_from_db()
    assert (activite.categorie, activite.duree, activite.axe) == (Categorie.COMMISSION, Decimal("2.25"), 1)
    assert activite.modifie_le >= activite.cree_le


def test_une_modification_fausse_ne_change_rien(rupn_a, mission_a):
    activite = ActiviteFactory(designation=mission_a)

    reponse = client_de(rupn_a).post(
        reverse("missions:journal_modifier", args=[activite.uuid]), saisie(mission_a, duree="-2")
    )

    assert reponse.status_code == 400
    activite.refresh_from_db()
    assert activite.duree == Decimal("1.5")


def test_l_auteur_supprime_son_entree_apres_confirmation(rupn_a, mission_a):
    activite = ActiviteFactory(designation=mission_a)
    client = client_de(rupn_a)
    url = reverse("missions:journal_supprimer", args=[activite.uuid])

    confirmation = client.get(url)
    assert confirmation.status_code == 200 and Activite.objects.exists()
    assert "Prise en main de l'ENT" in texte(confirmation)
    reponse = client.post(url)

    assert reponse.status_code == 302
    assert not Activite.objects.exists()


def test_les_entrees_d_un_autre_rupn_n_existent_pas(rupn_a, mission_a, college_a):
    autre = ActiviteFactory(designation__etablissement=college_a)
    client = client_de(rupn_a)

    assert client.get(reverse("missions:journal_modifier", args=[autre.uuid])).status_code == 404
    assert client.post(reverse("missions:journal_supprimer", args=[autre.uuid])).status_code == 404
    assert autre.description not in texte(client.get(URL_LISTE))
    assert Activite.objects.filter(pk=autre.pk).exists()
    with pytest.raises(PermissionDenied):
        journal.activite_modifier(activite=autre, par=rupn_a, duree=Decimal(3))
    with pytest.raises(PermissionDenied):
        journal.activite_supprimer(activite=autre, par=rupn_a)
    # Ni rattacher une de ses entrées à la mission d'un autre.
    sienne = ActiviteFactory(designation=mission_a)
    with pytest.raises(PermissionDenied):
        journal.activite_modifier(activite=sienne, par=rupn_a, designation=autre.designation)


def test_une_entree_d_une_mission_annulee_depuis_ne_se_modifie_plus(rupn_a, college_a):
    designation = DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_courante(), acceptee=True)
    activite = ActiviteFactory(designation=designation)
    Designation.objects.filter(pk=designation.pk).update(statut=Designation.Statut.ANNULEE)
    client = client_de(rupn_a)

    reponse = client.get(reverse("missions:journal_modifier", args=[activite.uuid]))

    assert reponse.status_code == 302
    liste = texte(client.get(reponse["Location"]))
    assert "appartient à une mission « annulée » : elle ne se modifie plus" in liste
    assert "Mission annulée" in liste  # sans bouton Modifier dans la liste
    assert client.post(reverse("missions:journal_supprimer", args=[activite.uuid])).status_code == 302
    assert Activite.objects.filter(pk=activite.pk).exists()
    with pytest.raises(ValidationError):
        journal.activite_supprimer(activite=activite, par=rupn_a)


# Liste, filtres, totaux, export


@pytest.fixture
def journal_passe(mission_passee_a):
    """Quatre entrées de l'année précédente."""
    annee = mission_passee_a.annee
    return [
        creer(mission_passee_a, date=annee.debut + datetime.timedelta(days=3), categorie=Categorie.COMMISSION,
              duree=Decimal("2"), personnes_touchees=8, axe=1, description="Commission numérique de rentrée."),
        creer(mission_passee_a, date=annee.debut + datetime.timedelta(days=20), categorie=Categorie.FORMATION,
              duree=Decimal("1.5"), personnes_touchees=12, axe=2, description="=Atelier ENT"),
        creer(mission_passee_a, date=annee.debut + datetime.timedelta(days=45), categorie=Categorie.FORMATION,
              duree=Decimal("0.75"), personnes_touchees=None, axe=None, description="Atelier IA générative."),
        creer(mission_passee_a, date=annee.debut + datetime.timedelta(days=90), categorie=Categorie.EQUIPEMENTS,
              duree=Decimal("0.25"), personnes_touchees=1, axe=3, description="Ticket vidéoprojecteur salle 12."),
    ]  # fmt: skip


def liste(client, **parametres):
    reponse = client.get(URL_LISTE, parametres)
    assert reponse.status_code == 200
    return reponse


def descriptions(reponse):
    return [activite.description for activite in reponse.context["page"]]


def test_la_liste_montre_l_annee_demandee_avec_ses_totaux(rupn_a, journal_passe, mission_passee_a):
    reponse = liste(client_de(rupn_a), annee=mission_passee_a.annee.code)

    assert descriptions(reponse) == [
        "Ticket vidéoprojecteur salle 12.",
        "Atelier IA générative.",
        "=Atelier ENT",
        "Commission numérique de rentrée.",
    ]
    assert reponse.context["totaux"] == {"nombre": 4, "personnes": 21, "heures": Decimal("4.5")}
    contenu = texte(reponse)
    assert "<strong>4</strong> entrées" in contenu and "<strong>21</strong> personnes touchées" in contenu
    assert "<strong>4,5</strong> heures" in contenu
    # L'année passée n'est pas celle de la saisie rapide : elle propose la mission de cette année-là.
    assert reponse.context["saisie"]["date"].value() == mission_passee_a.annee.fin


@pytest.mark.parametrize(
    ("filtres", "attendues"),
    [
        ({"categorie": "formation"}, ["Atelier IA générative.", "=Atelier ENT"]),
        ({"axe": "3"}, ["Ticket vidéoprojecteur salle 12."]),
        ({"axe": "aucun"}, ["Atelier IA générative."]),
        ({"du": 10, "au": 50}, ["Atelier IA générative.", "=Atelier ENT"]),
        ({"du": 50}, ["Ticket vidéoprojecteur salle 12."]),
    ],
)
def test_les_filtres_de_la_liste(rupn_a, journal_passe, mission_passee_a, filtres, attendues):
    annee = mission_passee_a.annee
    for borne in ("du", "au"):
        if borne in filtres:
            filtres[borne] = (annee.debut + datetime.timedelta(days=filtres[borne])).isoformat()

    reponse = liste(client_de(rupn_a), annee=annee.code, **filtres)

    assert descriptions(reponse) == attendues
    assert reponse.context["totaux"]["nombre"] == len(attendues)


def test_une_periode_a_l_envers_ne_montre_rien_et_le_dit(rupn_a, journal_passe, mission_passee_a):
    annee = mission_passee_a.annee
    reponse = liste(client_de(rupn_a), annee=annee.code, du=annee.fin.isoformat(), au=annee.debut.isoformat())

    assert descriptions(reponse) == []
    assert "La fin de la période précède son début." in texte(reponse)


def test_l_annee_en_cours_par_defaut(rupn_a, journal_passe, mission_a):
    recente = ActiviteFactory(designation=mission_a)

    reponse = liste(client_de(rupn_a))

    assert reponse.context["annee"] == annee_courante()
    assert descriptions(reponse) == [recente.description]
    assert client_de(rupn_a).get(URL_LISTE, {"annee": "1990-1991"}).status_code == 404


def test_l_export_csv_suit_les_filtres_a_la_francaise(rupn_a, journal_passe, mission_passee_a, college_a):
    reponse = client_de(rupn_a).get(URL_EXPORT, {"annee": mission_passee_a.annee.code, "categorie": "formation"})

    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    assert f'filename="journal-activites-{mission_passee_a.annee.code}.csv"' in reponse["Content-Disposition"]
    lignes = lire_csv(reponse.content.decode())
    assert [ligne["Description"] for ligne in lignes] == ["'=Atelier ENT", "Atelier IA générative."]
    premiere = lignes[0]
    assert premiere == {
        "Date": journal_passe[1].date.isoformat(),
        "Année scolaire": mission_passee_a.annee.code,
        "UAI": college_a.uai,
        "Établissement": "Collège A",
        "Catégorie": "Formation ou atelier animé",
        "Axe de la lettre de mission": "2",
        "Personnes touchées": "12",
        "Durée (heures)": "1,50",
        "Description": "'=Atelier ENT",  # jamais une formule dans un tableur
    }
    assert lignes[1]["Axe de la lettre de mission"] == "" and lignes[1]["Personnes touchées"] == ""


def test_la_liste_tient_en_un_nombre_borne_de_requetes(rupn_a, mission_a, django_assert_max_num_queries):
    client = client_de(rupn_a)
    ActiviteFactory.create_batch(2, designation=mission_a)
    client.get(URL_LISTE)  # session et rôle actif déjà en place
    with django_assert_max_num_queries(12) as avec_deux:
        liste(client)
    ActiviteFactory.create_batch(48, designation=mission_a)

    with django_assert_max_num_queries(len(avec_deux.captured_queries)):
        reponse = liste(client)

    assert len(reponse.context["page"]) == 50


def test_l_export_tient_en_un_nombre_borne_de_requetes(rupn_a, mission_a, django_assert_max_num_queries):
    ActiviteFactory.create_batch(50, designation=mission_a)
    client = client_de(rupn_a)
    with django_assert_max_num_queries(12):
        reponse = client.get(URL_EXPORT)
    assert len(lire_csv(reponse.content.decode())) == 50


# RUPN de deux établissements, RUPN sans mission


def test_un_rupn_de_deux_etablissements_choisit_sa_mission_et_filtre(rupn_a, mission_a, college_b):
    mission_b = DesignationFactory(etablissement=college_b, agent=rupn_a, annee=annee_courante(), validee=True)
    RoleFactory(utilisateur=rupn_a, type=Role.Type.RUPN, etablissement=college_b)
    client = client_de(rupn_a)

    reponse = liste(client)
    saisie_rapide = reponse.context["saisie"]
    assert not saisie_rapide.fields["mission"].widget.is_hidden
    assert [libelle for _, libelle in saisie_rapide.fields["mission"].choices] == [
        f"Collège A ({mission_a.annee})",
        f"Collège B ({mission_b.annee})",
    ]
    assert client.post(URL_CREER, saisie(mission_a, description="Au collège A.")).status_code == 302
    assert client.post(URL_CREER, saisie(mission_b, description="Au collège B.")).status_code == 302

    reponse = liste(client)
    assert sorted(descriptions(reponse)) == ["Au collège A.", "Au collège B."]
    assert '<th scope="col">Établissement</th>' in texte(reponse)
    reponse = liste(client, etablissement=college_b.uai)
    assert descriptions(reponse) == ["Au collège B."]
    assert journal.resume_du_journal(mission_b)[Categorie.FORMATION] == (1, 6, Decimal("1.5"))
    assert journal.resume_du_journal(mission_a)[Categorie.FORMATION] == (1, 6, Decimal("1.5"))


def test_un_seul_etablissement_n_a_pas_de_filtre_d_etablissement(rupn_a, mission_a):
    reponse = liste(client_de(rupn_a))

    assert "etablissement" not in reponse.context["form"].fields
    assert '<th scope="col">Établissement</th>' not in texte(reponse)


def test_un_rupn_sans_mission_cette_annee_sait_pourquoi_et_ou_aller(rupn_a, mission_passee_a):
    client = client_de(rupn_a)

    reponse = liste(client)

    assert reponse.context["saisie"] is None
    contenu = texte(reponse)
    assert f"Pas de mission acceptée pour {annee_courante()}" in contenu
    assert reverse("missions:mes_designations") in contenu
    assert f"?annee={mission_passee_a.annee.code}" in contenu  # son journal de l'an dernier
    # La page complète propose la mission de l'an dernier (une année finie : son dernier jour).
    formulaire = client.get(URL_CREER).context["form"]
    assert formulaire["date"].value() == mission_passee_a.annee.fin


def test_un_rupn_dont_la_designation_attend_sa_reponse_est_invite_a_repondre(rupn_a, college_a):
    DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_courante())
    client = client_de(rupn_a)

    contenu = texte(liste(client))

    assert f"Une désignation attend votre réponse pour {annee_courante()}" in contenu
    reponse = client.get(URL_CREER)
    assert reponse.status_code == 200 and reponse.context["form"] is None
    assert "Pas de mission acceptée en cours" in texte(reponse)


# Résumé pour l'enquête


def test_resume_du_journal_par_categorie(journal_passe, mission_passee_a, mission_a):
    ActiviteFactory(designation=mission_a, categorie=Categorie.FORMATION)  # une autre mission : ne compte pas

    resume = journal.resume_du_journal(mission_passee_a)

    assert list(resume) == list(Categorie)
    assert resume[Categorie.FORMATION] == (2, 12, Decimal("2.25"))
    assert resume["commission"] == (1, 8, Decimal("2"))
    assert resume[Categorie.EQUIPEMENTS].entrees == 1
    assert resume[Categorie.AUTRE] == (0, 0, Decimal("0"))
    assert all(isinstance(ligne.heures, Decimal) for ligne in resume.values())


def test_resume_d_un_journal_vide(mission_a):
    assert set(journal.resume_du_journal(mission_a).values()) == {(0, 0, Decimal(0))}


# Périmètre de lecture, menu, accueil


def test_chaque_role_voit_les_entrees_de_son_perimetre(
    rupn_a,
    chef_a,
    chef_b,
    dane_toulouse,
    dane_montpellier,
    correspondant_31,
    national,
    mission_a,
    college_b,
    college_herault,
):
    sienne = ActiviteFactory(designation=mission_a)
    au_college_b = ActiviteFactory(designation__etablissement=college_b)
    dans_l_herault = ActiviteFactory(designation__etablissement=college_herault)

    def visibles(utilisateur):
        utilisateur.role_actif = utilisateur.roles.first()
        return set(Activite.objects.visible_to(utilisateur))

    assert visibles(rupn_a) == {sienne}
    assert visibles(chef_a) == {sienne}
    assert visibles(chef_b) == {au_college_b}
    assert visibles(dane_toulouse) == {sienne, au_college_b}
    assert visibles(correspondant_31) == {sienne, au_college_b}
    assert visibles(dane_montpellier) == {dans_l_herault}
    assert visibles(national) == {sienne, au_college_b, dans_l_herault}


def test_le_menu_du_rupn_mene_au_journal():
    assert ("Journal d'activités", URL_LISTE) in menu_pour(Role(type=Role.Type.RUPN))
    assert ("Journal d'activités", URL_LISTE) not in menu_pour(Role(type=Role.Type.CHEF))


def test_l_accueil_du_rupn_compte_les_entrees_de_l_annee(rupn_a, mission_a, journal_passe):
    ActiviteFactory.create_batch(3, designation=mission_a)

    reponse = client_de(rupn_a).get(reverse("accueil"))

    assert reponse.context["entrees_du_journal"] == 3
    assert f'<a href="{URL_LISTE}">Journal d\'activités</a> : 3 entrées en {annee_courante()}' in texte(reponse)
