"""Construction de l'enquête par la DANE : création (défaut, copie), dates, sections, questions et leurs
règles de version, aperçu, détail (requêtes bornées)."""

import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enquetes import construction, saisie, services
from enquetes.forms_saisie import CHAMP_PRESENCE
from enquetes.models import CODES_RESERVES, Enquete, Participation, Question, Reponse
from missions.models import Designation
from rupn.comptes.models import Utilisateur
from rupn.territoires.models import AnneeScolaire, Departement, Etablissement
from tests.conftest import client_de
from tests.factories import academie, annee, taux, uai_valide

pytestmark = pytest.mark.django_db

LISTE = reverse("enquetes:enquete_liste")
CREER = reverse("enquetes:enquete_creer")


def messages_de(reponse):
    return [str(message) for message in reponse.wsgi_request._messages]


def repondre(participation, question, valeur):
    return Reponse.objects.create(participation=participation, question=question, valeur=valeur)


def champs_de(question, **changes):
    """Les arguments de construction.question_modifier : ceux de la question, sauf `changes`."""
    champs = {
        champ: getattr(question, champ)
        for champ in ("section", "code", "libelle", "type", "options", "obligatoire", "aide", "ordre", "masquee")
    }
    return {**champs, **changes}


def donnees_question(question, **changes):
    """Ce qu'envoie le formulaire de la question (choix : une ligne par choix)."""
    donnees = {
        "section": question.section_id,
        "code": question.code,
        "libelle": question.libelle,
        "type": question.type,
        "options": "\n".join(question.options),
        "aide": question.aide,
        "ordre": question.ordre,
        **({"obligatoire": "on"} if question.obligatoire else {}),
        **({"masquee": "on"} if question.masquee else {}),
    }
    return {**donnees, **changes}


def creer_participations(enquete, nombre):
    """`nombre` participations de RUPN de l'académie de Toulouse à `enquete`, créées par lots, dans tous les états."""
    departements = list(Departement.objects.filter(academie=enquete.academie).order_by("code"))
    etablissements = Etablissement.objects.bulk_create(
        [
            Etablissement(
                uai=uai_valide(8_200_000 + rang),
                nom=f"Collège n° {rang}",
                type=Etablissement.Type.COLLEGE,
                secteur=Etablissement.Secteur.PUBLIC,
                academie=enquete.academie,
                departement=departements[rang % len(departements)],
                commune="Toulouse",
            )
            for rang in range(nombre)
        ]
    )
    agents = Utilisateur.objects.bulk_create(
        [
            Utilisateur(email=f"rupn{rang}@lot.example", first_name="Camille", last_name=f"N{rang}")
            for rang in range(nombre)
        ]
    )
    imp = taux(1250)
    designations = Designation.objects.bulk_create(
        [
            Designation(
                etablissement=etablissements[rang],
                annee=enquete.annee,
                agent=agents[rang],
                statut=Designation.Statut.VALIDEE,
                taux=imp,
                debut=enquete.annee.debut,
                fin=enquete.annee.fin,
                nb_mois=12,
                montant=imp.montant,
                premier_mois_paiement=10,
                cree_par=agents[0],
            )
            for rang in range(nombre)
        ]
    )
    statuts = list(Participation.Statut)
    return Participation.objects.bulk_create(
        [
            Participation(enquete=enquete, designation=designation, statut=statuts[rang % len(statuts)])
            for rang, designation in enumerate(designations)
        ]
    )


# Liste et création


def test_sans_enquete_la_dane_cree_depuis_l_enquete_par_defaut(dane_toulouse):
    client = client_de(dane_toulouse)
    page = html.unescape(client.get(LISTE).content.decode())
    courante = AnneeScolaire.objects.courante()
    assert f"Enquête {courante} : pas encore créée" in page
    assert "Créer depuis l'enquête par défaut" in page and "l'an dernier" not in page
    reponse = client.post(CREER, {"annee": courante.code, "depuis": ""})
    enquete = Enquete.objects.get(academie=academie("16"), annee=courante)
    assert reponse.status_code == 302 and reponse["Location"] == enquete.get_absolute_url()
    assert enquete.copie_de is None and enquete.questions.count() >= 35
    assert "à partir de l'enquête par défaut" in messages_de(reponse)[0]
    assert f"Enquête {courante} : pas encore créée" not in client.get(LISTE).content.decode()


def test_la_dane_cree_depuis_l_enquete_de_l_an_dernier(dane_toulouse):
    courante = AnneeScolaire.objects.courante()
    precedente = AnneeScolaire.pour_rentree(courante.debut.year - 1)
    an_dernier = services.enquete_creer(academie=academie("16"), annee=precedente)
    an_dernier.questions.filter(code="discipline").update(masquee=True)
    client = client_de(dane_toulouse)
    page = html.unescape(client.get(LISTE).content.decode())
    assert f"Créer depuis l'enquête de l'an dernier ({precedente})" in page
    assert "Créer depuis l'enquête par défaut" in page
    client.post(CREER, {"annee": courante.code, "depuis": str(an_dernier.uuid)})
    copie = Enquete.objects.get(academie=academie("16"), annee=courante)
    assert copie.copie_de == an_dernier
    assert not copie.questions.filter(code="discipline").exists()
    assert copie.questions.count() == an_dernier.questions.count() - 1


def test_on_ne_copie_pas_l_enquete_d_une_autre_academie(dane_toulouse):
    montpellier = services.enquete_creer(academie=academie("11"), annee=annee("2025-2026"))
    courante = AnneeScolaire.objects.courante()
    reponse = client_de(dane_toulouse).post(CREER, {"annee": courante.code, "depuis": str(montpellier.uuid)})
    assert reponse.status_code == 404
    assert not Enquete.objects.filter(academie=academie("16")).exists()


def test_une_seconde_creation_ne_fait_rien(dane_toulouse, enquete_toulouse):
    reponse = client_de(dane_toulouse).post(CREER, {"annee": enquete_toulouse.annee.code, "depuis": ""})
    assert reponse.status_code == 200
    assert "a déjà son enquête" in html.unescape(reponse.content.decode())
    assert Enquete.objects.count() == 1


def test_le_correspondant_et_le_national_lisent_sans_pouvoir_creer(correspondant_31, national, enquete_toulouse):
    for personne in (correspondant_31, national):
        page = client_de(personne).get(LISTE).content.decode()
        assert enquete_toulouse.get_absolute_url() in page
        assert "Créer depuis" not in page
        detail = client_de(personne).get(enquete_toulouse.get_absolute_url()).content.decode()
        assert reverse("enquetes:enquete_modifier", args=[enquete_toulouse.uuid]) not in detail
        assert "Lancer la campagne" not in detail


def test_la_dane_de_montpellier_ne_voit_pas_l_enquete_de_toulouse(dane_montpellier, enquete_toulouse):
    assert enquete_toulouse.get_absolute_url() not in client_de(dane_montpellier).get(LISTE).content.decode()


# Enquête et dates


def test_la_cloture_ne_precede_pas_l_ouverture(enquete_toulouse):
    with pytest.raises(ValidationError) as erreur:
        construction.enquete_modifier(
            enquete=enquete_toulouse,
            titre="Enquête",
            introduction="",
            ouverture=datetime.date(2027, 6, 1),
            cloture=datetime.date(2027, 5, 31),
        )
    assert "ne peut précéder l'ouverture" in erreur.value.message_dict["cloture"][0]


def test_la_dane_fixe_les_dates(dane_toulouse, enquete_toulouse):
    url = reverse("enquetes:enquete_modifier", args=[enquete_toulouse.uuid])
    donnees = {"titre": "Bilan 2027", "introduction": "Bonjour", "ouverture": "2027-06-01", "cloture": "2027-05-01"}
    reponse = client_de(dane_toulouse).post(url, donnees)
    assert reponse.status_code == 400
    assert "La clôture ne peut précéder l'ouverture (01/06/2027)" in html.unescape(reponse.content.decode())
    assert "fr-input-group--error" in reponse.content.decode()
    reponse = client_de(dane_toulouse).post(url, {**donnees, "cloture": "2027-07-03"})
    assert reponse.status_code == 302
    enquete_toulouse.refresh_from_db()
    assert (enquete_toulouse.titre, enquete_toulouse.introduction) == ("Bilan 2027", "Bonjour")
    assert (enquete_toulouse.ouverture, enquete_toulouse.cloture) == (
        datetime.date(2027, 6, 1),
        datetime.date(2027, 7, 3),
    )


def test_une_campagne_lancee_garde_ses_dates(enquete_ouverte):
    with pytest.raises(ValidationError) as erreur:
        construction.enquete_modifier(
            enquete=enquete_ouverte, titre="T", introduction="", ouverture=enquete_ouverte.ouverture, cloture=None
        )
    assert "cette date reste fixée" in erreur.value.message_dict["cloture"][0]
    # Reporter la clôture reste possible.
    plus_tard = enquete_ouverte.cloture + datetime.timedelta(days=10)
    construction.enquete_modifier(
        enquete=enquete_ouverte, titre="T", introduction="", ouverture=enquete_ouverte.ouverture, cloture=plus_tard
    )
    enquete_ouverte.refresh_from_db()
    assert enquete_ouverte.cloture == plus_tard


# Sections


def test_une_section_ajoutee_vient_apres_les_autres(dane_toulouse, enquete_toulouse):
    nombre = enquete_toulouse.sections.count()
    reponse = client_de(dane_toulouse).post(
        reverse("enquetes:section_creer", args=[enquete_toulouse.uuid]), {"titre": "Bilan du numérique", "ordre": ""}
    )
    section = enquete_toulouse.sections.get(titre="Bilan du numérique")
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"#section-{section.pk}")
    assert section.ordre == nombre + 1 == enquete_toulouse.sections.last().ordre


def test_la_dane_modifie_une_section(dane_toulouse, enquete_toulouse):
    section = enquete_toulouse.sections.first()
    url = reverse("enquetes:section_modifier", args=[section.pk])
    assert client_de(dane_toulouse).post(url, {"titre": ""}).status_code == 400
    client_de(dane_toulouse).post(url, {"titre": "Vous", "description": "Votre profil.", "ordre": "20"})
    section.refresh_from_db()
    assert (section.titre, section.description, section.ordre) == ("Vous", "Votre profil.", 20)


# Questions : création


def test_la_dane_ajoute_une_question_a_choix(dane_toulouse, enquete_toulouse):
    section = enquete_toulouse.sections.first()
    reponse = client_de(dane_toulouse).post(
        reverse("enquetes:question_creer", args=[enquete_toulouse.uuid]),
        {
            "section": section.pk,
            "code": "outils_ia",
            "libelle": "Quels outils d'IA utilisez-vous ?",
            "type": "choix_multiple",
            "options": "  Assistant conversationnel \n\nTraduction\r\nAucun\n",
            "obligatoire": "on",
        },
    )
    assert reponse.status_code == 302
    question = enquete_toulouse.questions.get(code="outils_ia")
    assert question.options == ["Assistant conversationnel", "Traduction", "Aucun"]
    assert question.obligatoire and not question.masquee and question.section == section
    assert question.ordre == section.questions.count()


@pytest.mark.parametrize(
    "changes, champ, message",
    [
        ({"code": "discipline"}, "code", "déjà celui d'une autre question"),
        ({"code": "Avec Accents é"}, "code", "des minuscules sans accent"),
        ({"type": "choix_unique", "options": "Un seul"}, "options", "au moins deux choix"),
        ({"type": "choix_unique", "options": "Oui\nOui\nNon"}, "options", "répété : « Oui »"),
        ({"libelle": ""}, "libelle", "obligatoire"),
    ],
)
def test_une_question_mal_formee_est_refusee_au_niveau_du_champ(
    dane_toulouse, enquete_toulouse, changes, champ, message
):
    donnees = {
        "section": enquete_toulouse.sections.first().pk,
        "code": "nouvelle",
        "libelle": "Nouvelle question ?",
        "type": "texte_court",
        **changes,
    }
    reponse = client_de(dane_toulouse).post(reverse("enquetes:question_creer", args=[enquete_toulouse.uuid]), donnees)
    assert reponse.status_code == 400
    assert any(message in erreur for erreur in reponse.context["form"].errors[champ])
    assert not enquete_toulouse.questions.filter(code="nouvelle").exists()


def test_le_service_verifie_aussi_le_code_et_les_choix(enquete_toulouse):
    section = enquete_toulouse.sections.first()
    with pytest.raises(ValidationError) as erreur:
        construction.question_creer(
            enquete=enquete_toulouse,
            section=section,
            code="discipline",
            libelle="?",
            type="choix_unique",
            options=["A"],
        )
    assert set(erreur.value.message_dict) == {"code", "options"}
    # Une question qui n'est pas à choix ne garde pas de choix.
    question = construction.question_creer(
        enquete=enquete_toulouse, section=section, code="heures", libelle="Heures ?", type="nombre", options=["A", "B"]
    )
    assert question.options == []


def test_une_section_d_une_autre_enquete_est_refusee(enquete_toulouse):
    autre = services.enquete_creer(academie=academie("11"), annee=enquete_toulouse.annee)
    with pytest.raises(ValidationError) as erreur:
        construction.question_creer(
            enquete=enquete_toulouse, section=autre.sections.first(), code="x_y", libelle="?", type="texte_court"
        )
    assert "section" in erreur.value.message_dict


@pytest.mark.parametrize("code", sorted(code for code in CODES_RESERVES if not code.startswith("_")))
def test_un_code_reserve_par_le_formulaire_de_saisie_est_refuse(dane_toulouse, enquete_toulouse, code):
    section = enquete_toulouse.sections.first()
    donnees = {"section": section.pk, "code": code, "libelle": "Nouvelle question ?", "type": "texte_court"}
    reponse = client_de(dane_toulouse).post(reverse("enquetes:question_creer", args=[enquete_toulouse.uuid]), donnees)
    assert reponse.status_code == 400
    (erreur,) = reponse.context["form"].errors["code"]
    assert f"Le code « {code} » est réservé par le formulaire de saisie" in erreur
    with pytest.raises(ValidationError) as refus:
        construction.question_creer(enquete=enquete_toulouse, section=section, code=code, libelle="?", type="nombre")
    assert "est réservé" in " ".join(refus.value.message_dict["code"])
    assert not enquete_toulouse.questions.filter(code=code).exists()


def test_les_codes_reserves_sont_les_autres_champs_du_formulaire_d_etape(participation_a, rupn_a):
    """Chaque nom de champ du formulaire d'étape qui n'est pas le code d'une question est réservé."""
    etape = saisie.Saisie.de(participation_a).etape(1)
    page = client_de(rupn_a).get(reverse("enquetes:participation_etape", args=[participation_a.uuid, 1]))
    assert page.status_code == 200
    formulaire = re.search(r"<form[^>]*data-rupn-enregistrement-auto.*?</form>", page.content.decode(), re.S)
    noms = set(re.findall(r'\bname="([^"]+)"', formulaire.group(0)))
    autres = noms - {question.code for question in etape.questions}
    assert {"csrfmiddlewaretoken", CHAMP_PRESENCE, "action"} <= autres <= CODES_RESERVES


# Questions : règles de version


def test_sans_reponse_tout_change(enquete_toulouse):
    question = enquete_toulouse.questions.get(code="discipline")
    construction.question_modifier(
        question=question, **champs_de(question, code="discipline_principale", type="choix_unique", options=["A", "B"])
    )
    question.refresh_from_db()
    assert (question.code, question.type, question.options) == ("discipline_principale", "choix_unique", ["A", "B"])


@pytest.mark.parametrize(
    ("code", "cle", "changes"),
    [
        ("accompagnements", "journal_accompagnement", {"type": "texte_court"}),
        ("lettre_de_mission", "lettre_signee", {"type": "choix_unique", "options": ["Oui", "Non", "En cours"]}),
    ],
)
def test_un_type_qui_ne_convient_plus_au_preremplissage_le_retire(enquete_toulouse, code, cle, changes):
    question = enquete_toulouse.questions.get(code=code)
    assert question.prerempli == cle
    construction.question_modifier(question=question, **champs_de(question, libelle="Reformulée ?"))
    question.refresh_from_db()
    assert question.prerempli == cle  # même type : la valeur proposée reste
    construction.question_modifier(question=question, **champs_de(question, **changes))
    question.refresh_from_db()
    assert (question.type, question.prerempli) == (changes["type"], "")


def test_une_question_repondue_garde_son_code(participation_a):
    question = participation_a.enquete.questions.get(code="discipline")
    repondre(participation_a, question, "Technologie")
    with pytest.raises(ValidationError) as erreur:
        construction.question_modifier(question=question, **champs_de(question, code="matiere"))
    assert "le code reste « discipline »" in erreur.value.message_dict["code"][0]


def test_une_question_repondue_garde_son_type(participation_a):
    question = participation_a.enquete.questions.get(code="discipline")
    repondre(participation_a, question, "Technologie")
    with pytest.raises(ValidationError) as erreur:
        construction.question_modifier(question=question, **champs_de(question, type="texte_long"))
    assert "le type reste « Texte court »" in erreur.value.message_dict["type"][0]
    assert "Masquez cette question" in erreur.value.message_dict["type"][0]


@pytest.mark.parametrize("type_, valeur", [("choix_unique", "B"), ("choix_multiple", ["B", "C"])])
def test_un_choix_repondu_ne_se_retire_pas_mais_on_en_ajoute(participation_a, type_, valeur):
    question = construction.question_creer(
        enquete=participation_a.enquete,
        section=participation_a.enquete.sections.first(),
        code="choix",
        libelle="Choix ?",
        type=type_,
        options=["A", "B", "C"],
    )
    repondre(participation_a, question, valeur)
    with pytest.raises(ValidationError) as erreur:
        construction.question_modifier(question=question, **champs_de(question, options=["A", "C", "D"]))
    assert "Des réponses citent « B »" in erreur.value.message_dict["options"][0]
    # Retirer un choix que personne n'a donné, en ajouter, reformuler : permis.
    construction.question_modifier(
        question=question, **champs_de(question, libelle="Lequel ?", options=["B", "C", "D", "E"])
    )
    question.refresh_from_db()
    assert (question.libelle, question.options) == ("Lequel ?", ["B", "C", "D", "E"])


def test_une_question_repondue_se_reformule_et_se_masque(participation_a):
    question = participation_a.enquete.questions.get(code="discipline")
    repondre(participation_a, question, "Technologie")
    construction.question_modifier(
        question=question, **champs_de(question, libelle="Votre discipline ?", masquee=True, obligatoire=True)
    )
    question.refresh_from_db()
    assert question.masquee and question.obligatoire and question.libelle == "Votre discipline ?"


def test_une_question_sans_reponse_se_supprime(dane_toulouse, enquete_toulouse):
    question = enquete_toulouse.questions.get(code="discipline")
    url = reverse("enquetes:question_supprimer", args=[question.pk])
    page = html.unescape(client_de(dane_toulouse).get(url).content.decode())
    assert "Supprimer la question" in page and "définitive" in page
    reponse = client_de(dane_toulouse).post(url, {"action": "supprimer"})
    assert reponse.status_code == 302
    assert not enquete_toulouse.questions.filter(code="discipline").exists()


def test_une_question_repondue_ne_se_supprime_pas_elle_se_masque(dane_toulouse, participation_a):
    question = participation_a.enquete.questions.get(code="discipline")
    repondre(participation_a, question, "Technologie")
    with pytest.raises(ValidationError, match="ne se supprime plus"):
        construction.question_supprimer(question=question)
    url = reverse("enquetes:question_supprimer", args=[question.pk])
    page = html.unescape(client_de(dane_toulouse).get(url).content.decode())
    assert "Masquer la question" in page and "ne se supprime plus" in page
    reponse = client_de(dane_toulouse).post(url, {"action": "supprimer"})
    assert "ne se supprime plus" in messages_de(reponse)[0]
    assert Question.objects.filter(pk=question.pk, masquee=False).exists()
    client_de(dane_toulouse).post(url, {"action": "masquer"})
    question.refresh_from_db()
    assert question.masquee and question.reponses.count() == 1


def test_une_reponse_videe_ne_fige_pas_la_question(participation_a):
    question = participation_a.enquete.questions.get(code="discipline")
    repondre(participation_a, question, None)
    construction.question_modifier(question=question, **champs_de(question, code="matiere", type="texte_long"))
    construction.question_supprimer(question=question)
    assert not Question.objects.filter(pk=question.pk).exists()


def test_le_formulaire_d_une_question_repondue_fige_code_et_type(dane_toulouse, participation_a):
    question = participation_a.enquete.questions.get(code="besoins_formation")
    repondre(participation_a, question, ["Intelligence artificielle"])
    url = reverse("enquetes:question_modifier", args=[question.pk])
    page = html.unescape(client_de(dane_toulouse).get(url).content.decode())
    assert "Figé : 1 réponse enregistrée." in page
    assert "Déjà répondus, à garder : « Intelligence artificielle »" in page
    # Un code ou un type envoyés malgré tout sont ignorés (champs désactivés) ; le libellé change.
    reponse = client_de(dane_toulouse).post(
        url, donnees_question(question, code="autre_code", type="texte_long", libelle="Sur quoi vous former ?")
    )
    assert reponse.status_code == 302
    question.refresh_from_db()
    assert (question.code, question.type, question.libelle) == (
        "besoins_formation",
        "choix_multiple",
        "Sur quoi vous former ?",
    )
    options = [choix for choix in question.options if choix != "Intelligence artificielle"]
    reponse = client_de(dane_toulouse).post(url, donnees_question(question, options="\n".join(options)))
    assert reponse.status_code == 400
    assert "Des réponses citent « Intelligence artificielle »" in reponse.context["form"].errors["options"][0]


# Aperçu et détail


def test_l_apercu_montre_l_enquete_comme_le_rupn(dane_toulouse, enquete_toulouse):
    enquete_toulouse.questions.filter(code="discipline").update(masquee=True)
    reponse = client_de(dane_toulouse).get(reverse("enquetes:enquete_apercu", args=[enquete_toulouse.uuid]))
    page = html.unescape(reponse.content.decode())
    assert enquete_toulouse.titre in page
    assert 'id="q-anciennete_rupn"' in page and 'name="anciennete_rupn"' in page
    assert 'id="q-discipline"' not in page
    assert "Intelligence artificielle" in page
    assert f"Étape 1 sur {enquete_toulouse.sections.count()}" in page


def test_le_detail_montre_questions_et_participations(dane_toulouse, participation_a):
    enquete = participation_a.enquete
    repondre(participation_a, enquete.questions.get(code="discipline"), "Technologie")
    enquete.questions.filter(code="anciennete_rupn").update(masquee=True)
    page = html.unescape(client_de(dane_toulouse).get(enquete.get_absolute_url()).content.decode())
    assert "<code>discipline</code>" in page and "Masquée" in page
    assert reverse("enquetes:question_supprimer", args=[enquete.questions.get(code="discipline").pk]) in page
    assert "Campagne ouverte" in page
    assert "(0 % envoyées)" in page


@pytest.mark.parametrize("nombre", [3, 300])
def test_le_detail_fait_un_nombre_borne_de_requetes(
    dane_toulouse, enquete_ouverte, nombre, django_assert_max_num_queries
):
    participations = creer_participations(enquete_ouverte, nombre)
    question = enquete_ouverte.questions.get(code="discipline")
    Reponse.objects.bulk_create([Reponse(participation=p, question=question, valeur="Lettres") for p in participations])
    client = client_de(dane_toulouse)
    with django_assert_max_num_queries(12):
        reponse = client.get(enquete_ouverte.get_absolute_url())
    assert reponse.status_code == 200
    assert f"<td>{nombre}</td>" in reponse.content.decode()


def test_la_liste_fait_un_nombre_borne_de_requetes(national, django_assert_max_num_queries):
    for code in ("2024-2025", "2025-2026"):
        for academie_code in ("16", "11"):
            services.enquete_creer(academie=academie(academie_code), annee=annee(code))
    client = client_de(national)
    with django_assert_max_num_queries(10):
        reponse = client.get(LISTE)
    assert reponse.content.decode().count("Campagne non lancée") == 4


def test_etat_de_la_campagne(enquete_toulouse):
    aujourd_hui = timezone.localdate()
    assert construction.etat_campagne(enquete_toulouse).code == "a_preparer"
    enquete_toulouse.lancee_le = timezone.now()
    enquete_toulouse.ouverture = aujourd_hui + datetime.timedelta(days=3)
    enquete_toulouse.cloture = aujourd_hui + datetime.timedelta(days=30)
    assert construction.etat_campagne(enquete_toulouse).code == "a_venir"
    enquete_toulouse.ouverture = aujourd_hui
    assert construction.etat_campagne(enquete_toulouse).code == "ouverte"
    enquete_toulouse.cloture = aujourd_hui - datetime.timedelta(days=1)
    enquete_toulouse.ouverture = aujourd_hui - datetime.timedelta(days=10)
    assert construction.etat_campagne(enquete_toulouse).code == "close"


def test_le_menu_et_l_accueil_menent_a_l_enquete(dane_toulouse):
    from rupn.comptes.models import Role
    from rupn.navigation import menu_pour

    for type_ in (Role.Type.DANE, Role.Type.CORRESPONDANT, Role.Type.NATIONAL):
        assert ("Enquête de fin d'année", LISTE) in menu_pour(Role(type=type_))
    assert ("Enquête de fin d'année", LISTE) not in menu_pour(Role(type=Role.Type.CHEF))
    assert f'href="{LISTE}"' in client_de(dane_toulouse).get(reverse("accueil")).content.decode()
