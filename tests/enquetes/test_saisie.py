"""Saisie de l'enquête par le RUPN : étapes, erreurs au niveau du champ, enregistrement automatique,
reprise, préremplissage, envoi, lecture seule, clôture et réouverture."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enquetes import construction, saisie
from enquetes.forms_saisie import CHAMP_PRESENCE
from enquetes.models import Participation, Question, Reponse
from missions.journal import activite_creer
from tests.conftest import client_de
from tests.factories import DesignationFactory, RoleFactory, UtilisateurFactory

Type = Question.Type


def url_etape(participation, rang):
    return reverse("enquetes:participation_etape", args=[participation.uuid, rang])


def valeur_valide(question):
    """Une réponse correcte, telle qu'un navigateur l'envoie."""
    return {
        Type.NOMBRE: "3",
        Type.ECHELLE: "4",
        Type.OUI_NON: "oui",
        Type.CHOIX_UNIQUE: question.options[0] if question.options else "",
        Type.CHOIX_MULTIPLE: question.options[:2],
        Type.TEXTE_COURT: "Une bonne année",
        Type.TEXTE_LONG: "Première ligne\r\nSeconde ligne",
    }[question.type]


def donnees_etape(etape, **remplacees):
    """L'envoi du formulaire d'une étape : chaque question annoncée, avec une réponse correcte ou `remplacees`."""
    donnees = {CHAMP_PRESENCE: [question.code for question in etape.questions]}
    for question in etape.questions:
        donnees[question.code] = remplacees.get(question.code, valeur_valide(question))
    return donnees


def remplir(client, participation):
    """Remplit chaque étape de réponses correctes."""
    for etape in saisie.Saisie.de(participation).etapes:
        reponse = client.post(url_etape(participation, etape.rang), donnees_etape(etape))
        assert reponse.status_code == 302, reponse.content.decode()[:2000]


@pytest.fixture
def client_rupn(rupn_a):
    return client_de(rupn_a)


@pytest.fixture
def etapes(participation_a):
    return saisie.Saisie.de(participation_a).etapes


def valeurs(participation):
    return dict(Reponse.objects.filter(participation=participation).values_list("question__code", "valeur"))


# Mes enquêtes


def test_mes_enquetes_cree_la_participation_qui_manque_a_une_campagne_lancee(
    enquete_ouverte, designation_de_rupn_a_cette_annee, client_rupn
):
    assert not Participation.objects.exists()
    reponse = client_rupn.get(reverse("enquetes:mes_enquetes"))
    assert reponse.status_code == 200
    participation = Participation.objects.get(designation=designation_de_rupn_a_cette_annee)
    contenu = reponse.content.decode()
    assert participation.get_absolute_url() in contenu
    assert "Collège A" in contenu and "À remplir" in contenu and "Commencer" in contenu
    assert f"{enquete_ouverte.cloture:%Y}" in contenu


def test_mes_enquetes_dit_quand_l_enquete_n_est_pas_lancee(
    enquete_toulouse, designation_de_rupn_a_cette_annee, client_rupn
):
    enquete_toulouse.ouverture = datetime.date(2030, 6, 1)
    enquete_toulouse.save()
    contenu = client_rupn.get(reverse("enquetes:mes_enquetes")).content.decode()
    assert "pas encore lancée" in contenu and "1 juin 2030" in contenu
    assert not Participation.objects.exists(), "une campagne non lancée n'a pas de participation"


def test_une_campagne_pas_encore_ouverte_dit_quand_elle_ouvre(participation_a, client_rupn):
    enquete = participation_a.enquete
    enquete.ouverture = timezone.localdate() + datetime.timedelta(days=3)
    enquete.save()
    contenu = client_rupn.get(reverse("enquetes:mes_enquetes")).content.decode()
    assert "L&#x27;enquête ouvre le" in contenu
    reponse = client_rupn.post(url_etape(participation_a, 1), {"anciennete_rupn": "3"})
    assert reponse.status_code == 302 and not Reponse.objects.exists()


# Étapes


def test_l_etape_presente_l_indicateur_d_etapes_du_dsfr(participation_a, etapes, client_rupn):
    contenu = client_rupn.get(url_etape(participation_a, 1)).content.decode()
    assert 'class="fr-stepper"' in contenu
    assert f"Étape 1 sur {len(etapes)}" in contenu
    assert etapes[0].section.titre in contenu
    assert f"Étape suivante :</span> {etapes[1].section.titre}" in contenu
    assert "Enregistrer et continuer" in contenu and "Précédent" in contenu
    assert 'aria-live="polite"' in contenu and "js/enquete_saisie.js" in contenu
    assert "<script>" not in contenu, "pas de script en ligne (CSP)"
    for question in etapes[0].questions:
        assert f'name="{question.code}"' in contenu


def test_chaque_type_de_reponse_s_enregistre(participation_a, etapes, client_rupn):
    remplir(client_rupn, participation_a)
    enregistrees = valeurs(participation_a)
    questions = {question.code: question for etape in etapes for question in etape.questions}
    assert set(enregistrees) == set(questions)
    attendu = {
        Type.NOMBRE: 3,
        Type.ECHELLE: 4,
        Type.OUI_NON: True,
        Type.TEXTE_COURT: "Une bonne année",
        Type.TEXTE_LONG: "Première ligne\nSeconde ligne",
    }
    for code, valeur in enregistrees.items():
        question = questions[code]
        if question.type == Type.CHOIX_UNIQUE:
            assert valeur == question.options[0]
        elif question.type == Type.CHOIX_MULTIPLE:
            assert valeur == question.options[:2]
        else:
            assert valeur == attendu[question.type], code
    participation_a.refresh_from_db()
    assert participation_a.statut == Participation.Statut.EN_COURS


def test_un_nombre_decimal_a_la_francaise(participation_a, etapes, client_rupn):
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], temps_hebdomadaire="2,5"))
    assert valeurs(participation_a)["temps_hebdomadaire"] == 2.5
    contenu = client_rupn.get(url_etape(participation_a, 1)).content.decode()
    assert 'value="2,5"' in contenu


def _etape_de(etapes, code):
    return next(etape for etape in etapes if any(q.code == code for q in etape.questions))


@pytest.mark.parametrize(
    ("code", "saisie_refusee", "message"),
    [
        ("anciennete_rupn", "beaucoup", "n&#x27;est pas un nombre"),
        ("anciennete_rupn", "-2", "positif ou nul"),
        ("information_suffisante", "7", "Choisissez une note de 1 à 5."),
        ("veille_partagee", "Tous les jours", "ne fait pas partie des choix proposés"),
        ("canaux_information", ["Courriel académique", "Pigeon voyageur"], "« Pigeon voyageur »"),
        ("lettre_de_mission", "peut-être", "Répondez par oui ou par non."),
        ("discipline", "x" * 301, "301 caractères : 300 au plus."),
        ("besoins_collegues", "x" * 5001, "5001 caractères : 5\u202f000 au plus."),
    ],
)
def test_une_reponse_refusee_est_signalee_sous_son_champ(
    participation_a, etapes, client_rupn, code, saisie_refusee, message
):
    etape = _etape_de(etapes, code)
    reponse = client_rupn.post(url_etape(participation_a, etape.rang), donnees_etape(etape, **{code: saisie_refusee}))
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    # Le message est relié au champ (aria-describedby / aria-labelledby) et placé sous lui.
    assert f'id="q-{code}-erreur"' in contenu
    erreur = contenu[contenu.index(f'id="q-{code}-erreur"') :][:800]
    assert message in erreur
    assert f'q-{code}-erreur"' in contenu[: contenu.index(f'id="q-{code}-erreur"')]
    # Les autres réponses de l'étape sont enregistrées ; la réponse refusée ne l'est pas.
    enregistrees = valeurs(participation_a)
    assert code not in enregistrees
    assert set(enregistrees) == {q.code for q in etape.questions} - {code}


def test_la_saisie_refusee_est_reaffichee_pour_etre_corrigee(participation_a, etapes, client_rupn):
    reponse = client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], anciennete_rupn="douze"))
    assert 'value="douze"' in reponse.content.decode()


def test_une_question_obligatoire_vide_n_empeche_pas_d_enregistrer_l_etape(participation_a, etapes, client_rupn):
    reponse = client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], anciennete_rupn=""))
    assert reponse.status_code == 302 and reponse["Location"] == url_etape(participation_a, 2)
    assert valeurs(participation_a)["anciennete_rupn"] is None


def test_precedent_enregistre_et_revient_a_l_etape_d_avant(participation_a, etapes, client_rupn):
    donnees = {**donnees_etape(etapes[1]), "action": "precedent"}
    reponse = client_rupn.post(url_etape(participation_a, 2), donnees)
    assert reponse["Location"] == url_etape(participation_a, 1)
    assert {q.code for q in etapes[1].questions} <= set(valeurs(participation_a))


def test_la_derniere_etape_mene_au_recapitulatif(participation_a, etapes, client_rupn):
    derniere = etapes[-1]
    reponse = client_rupn.post(url_etape(participation_a, derniere.rang), donnees_etape(derniere))
    assert reponse["Location"] == reverse("enquetes:participation_recapitulatif", args=[participation_a.uuid])


def test_une_case_decochee_efface_les_choix(participation_a, etapes, client_rupn):
    etape = _etape_de(etapes, "canaux_information")
    client_rupn.post(url_etape(participation_a, etape.rang), donnees_etape(etape))
    donnees = donnees_etape(etape)
    del donnees["canaux_information"]  # plus aucune case cochée : le navigateur n'envoie rien
    client_rupn.post(url_etape(participation_a, etape.rang), donnees)
    assert valeurs(participation_a)["canaux_information"] is None


# Enregistrement automatique


def test_l_enregistrement_automatique_repond_en_json(participation_a, etapes, client_rupn):
    # L'heure lue avant et après la requête : la minute peut changer entre les deux.
    avant = timezone.localtime().strftime("%H:%M")
    reponse = client_rupn.post(
        url_etape(participation_a, 1), donnees_etape(etapes[0], anciennete_rupn="5"), HTTP_ACCEPT="application/json"
    )
    apres = timezone.localtime().strftime("%H:%M")
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["enregistre"] is True and corps["heure"] in {avant, apres}
    assert corps["message"] == f"Enregistré à {corps['heure']}."
    assert corps["erreurs"] == {}
    assert valeurs(participation_a)["anciennete_rupn"] == 5


def test_un_enregistrement_automatique_partiel_ne_perd_rien(participation_a, etapes, client_rupn):
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0]))
    avant = valeurs(participation_a)
    # Un seul champ envoyé (sortie d'un champ) : les autres réponses de l'étape ne bougent pas.
    reponse = client_rupn.post(
        url_etape(participation_a, 1),
        {CHAMP_PRESENCE: ["discipline"], "discipline": "Mathématiques"},
        HTTP_ACCEPT="application/json",
    )
    assert reponse.json()["enregistre"] is True
    assert valeurs(participation_a) == {**avant, "discipline": "Mathématiques"}


def test_l_enregistrement_automatique_signale_les_erreurs_et_garde_le_reste(participation_a, etapes, client_rupn):
    reponse = client_rupn.post(
        url_etape(participation_a, 1),
        donnees_etape(etapes[0], anciennete_rupn="trois", discipline="SVT"),
        HTTP_ACCEPT="application/json",
    )
    corps = reponse.json()
    assert list(corps["erreurs"]) == ["anciennete_rupn"]
    assert "sauf une réponse à corriger" in corps["message"] and "n'est pas un nombre" in corps["message"]
    assert valeurs(participation_a)["discipline"] == "SVT"


def test_l_enregistrement_automatique_apres_l_envoi_est_refuse(participation_a, client_rupn):
    Participation.objects.filter(pk=participation_a.pk).update(statut="soumise", soumise_le=timezone.now())
    reponse = client_rupn.post(url_etape(participation_a, 1), {"discipline": "SVT"}, HTTP_ACCEPT="application/json")
    assert reponse.status_code == 409
    assert "envoyé" in json.loads(reponse.content)["message"]
    assert not Reponse.objects.exists()


# Reprise


def test_la_reprise_revient_a_la_premiere_etape_incomplete(participation_a, etapes, client_rupn):
    detail = participation_a.get_absolute_url()
    assert "Commencer" in client_rupn.get(detail).content.decode()
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0]))
    client_rupn.post(url_etape(participation_a, 2), donnees_etape(etapes[1]))
    contenu = client_rupn.get(detail).content.decode()
    assert "Reprendre à l'étape 3" in contenu and url_etape(participation_a, 3) in contenu
    # Une obligatoire effacée à l'étape 1 : on y revient.
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], anciennete_rupn=""))
    assert saisie.Saisie.de(participation_a).reprise() == 1
    remplir(client_rupn, participation_a)
    assert saisie.Saisie.de(participation_a).reprise() is None
    assert "Vérifier et envoyer" in client_rupn.get(detail).content.decode()


def test_les_reponses_enregistrees_sont_reaffichees(participation_a, etapes, client_rupn):
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], discipline="Histoire"))
    contenu = client_rupn.get(url_etape(participation_a, 1)).content.decode()
    assert 'value="Histoire"' in contenu
    assert 'value="oui" checked' in contenu  # lettre_de_mission


# Préremplissage


@pytest.fixture
def journal(participation_a, rupn_a):
    designation = participation_a.designation
    jour = timezone.localdate()
    for categorie, personnes in (("accompagnement", 1), ("accompagnement", 2), ("formation", 12), ("ent", None)):
        activite_creer(
            par=rupn_a,
            designation=designation,
            date=jour,
            categorie=categorie,
            duree=Decimal("1.5"),
            description="Atelier",
            personnes_touchees=personnes,
        )


def test_le_journal_preremplit_les_nombres(participation_a, etapes, journal, client_rupn):
    etape = _etape_de(etapes, "accompagnements")
    contenu = client_rupn.get(url_etape(participation_a, etape.rang)).content.decode()
    assert 'name="accompagnements" value="2"' in contenu
    assert "d&#x27;après votre journal d&#x27;activités : 2" in contenu
    assert 'name="formations_animees" value="1"' in contenu
    assert 'name="personnes_touchees" value="15"' in contenu
    assert 'name="besoins_collegues"' in contenu
    # La valeur proposée est modifiable : celle du RUPN est gardée, la proposition disparaît.
    client_rupn.post(url_etape(participation_a, etape.rang), donnees_etape(etape, accompagnements="4"))
    contenu = client_rupn.get(url_etape(participation_a, etape.rang)).content.decode()
    assert 'name="accompagnements" value="4"' in contenu
    assert "d&#x27;après votre journal" not in contenu


def test_une_proposition_effacee_ne_revient_pas(participation_a, etapes, journal, client_rupn):
    etape = _etape_de(etapes, "actions_administration")
    client_rupn.post(url_etape(participation_a, etape.rang), donnees_etape(etape, actions_administration=""))
    contenu = client_rupn.get(url_etape(participation_a, etape.rang)).content.decode()
    assert 'name="actions_administration" value=""' in contenu


def test_un_journal_vide_ne_propose_rien(participation_a, etapes, client_rupn):
    etape = _etape_de(etapes, "accompagnements")
    contenu = client_rupn.get(url_etape(participation_a, etape.rang)).content.decode()
    assert 'name="accompagnements" value=""' in contenu and "d&#x27;après votre journal" not in contenu


def test_la_lettre_scellee_preremplit_une_question_oui_non(participation_a, etapes, client_rupn):
    from tests.factories import LettreMissionFactory

    Question.objects.filter(code="lettre_de_mission").update(prerempli="lettre_signee")
    LettreMissionFactory(
        etablissement=participation_a.designation.etablissement,
        designations=[participation_a.designation],
        statut="scellee",
    )
    contenu = client_rupn.get(url_etape(participation_a, 1)).content.decode()
    assert 'id="q-lettre_de_mission-oui" name="lettre_de_mission" value="oui" checked' in contenu
    assert "d&#x27;après vos lettres de mission : Oui" in contenu


# Récapitulatif et envoi


def test_le_recapitulatif_signale_les_obligatoires_manquantes(participation_a, etapes, client_rupn):
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], anciennete_rupn=""))
    contenu = client_rupn.get(reverse("enquetes:participation_recapitulatif", args=[participation_a.uuid])).content
    contenu = contenu.decode()
    assert "questions obligatoires attendent" in contenu
    assert f"{url_etape(participation_a, 1)}#q-anciennete_rupn" in contenu
    assert f"{url_etape(participation_a, len(etapes))}#q-bilan_annee" in contenu
    assert "Envoyer mon compte-rendu" not in contenu


def test_l_envoi_est_refuse_tant_qu_une_obligatoire_manque(participation_a, etapes, client_rupn):
    remplir(client_rupn, participation_a)
    client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], anciennete_rupn=""))
    reponse = client_rupn.post(reverse("enquetes:participation_soumettre", args=[participation_a.uuid]), follow=True)
    assert "Répondez d&#x27;abord aux questions obligatoires" in reponse.content.decode()
    participation_a.refresh_from_db()
    assert participation_a.statut == Participation.Statut.EN_COURS and mail.outbox == []


def test_l_envoi_previent_la_direction_puis_tout_est_en_lecture_seule(
    participation_a, etapes, client_rupn, chef_a, adjoint_a, django_capture_on_commit_callbacks
):
    remplir(client_rupn, participation_a)
    recapitulatif = client_rupn.get(reverse("enquetes:participation_recapitulatif", args=[participation_a.uuid]))
    assert "Envoyer mon compte-rendu" in recapitulatif.content.decode()
    assert "data-rupn-confirmer" in recapitulatif.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_rupn.post(reverse("enquetes:participation_soumettre", args=[participation_a.uuid]))
    assert reponse["Location"] == participation_a.get_absolute_url()
    participation_a.refresh_from_db()
    assert participation_a.statut == Participation.Statut.SOUMISE and participation_a.soumise_le is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([chef_a.email, adjoint_a.email])
    assert participation_a.get_absolute_url() in mail.outbox[0].body
    # Lecture seule : la page d'étape désactive ses champs, un envoi ne change rien.
    avant = valeurs(participation_a)
    contenu = client_rupn.get(url_etape(participation_a, 1)).content.decode()
    assert "Enregistrer et continuer" not in contenu and " disabled" in contenu
    reponse = client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0], discipline="Autre"))
    assert reponse.status_code == 302
    assert valeurs(participation_a) == avant
    recapitulatif = client_rupn.get(reverse("enquetes:participation_recapitulatif", args=[participation_a.uuid]))
    assert "Envoyer mon compte-rendu" not in recapitulatif.content.decode()


def test_un_double_envoi_n_envoie_qu_une_fois(participation_a, client_rupn, chef_a, django_capture_on_commit_callbacks):
    remplir(client_rupn, participation_a)
    url = reverse("enquetes:participation_soumettre", args=[participation_a.uuid])
    with django_capture_on_commit_callbacks(execute=True):
        client_rupn.post(url)
        premier = Participation.objects.get(pk=participation_a.pk).soumise_le
        reponse = client_rupn.post(url, follow=True)
    assert "déjà envoyé" in reponse.content.decode()
    assert len(mail.outbox) == 1
    assert Participation.objects.get(pk=participation_a.pk).soumise_le == premier


def test_apres_la_cloture_plus_rien_ne_s_ecrit_sauf_reouverture(
    participation_a, etapes, client_rupn, django_capture_on_commit_callbacks
):
    enquete = participation_a.enquete
    enquete.ouverture = timezone.localdate() - datetime.timedelta(days=30)
    enquete.cloture = timezone.localdate() - datetime.timedelta(days=1)
    enquete.save()
    reponse = client_rupn.post(url_etape(participation_a, 1), donnees_etape(etapes[0]), follow=True)
    assert "L&#x27;enquête est close : son dernier jour était le" in reponse.content.decode()
    assert not Reponse.objects.exists()
    reponse = client_rupn.post(reverse("enquetes:participation_soumettre", args=[participation_a.uuid]), follow=True)
    assert "L&#x27;enquête est close : son dernier jour était le" in reponse.content.decode()
    # La DANE rouvre la participation : le RUPN complète, puis envoie ; ensuite, de nouveau fermée.
    construction.participation_rouvrir(participation=participation_a, url_absolue=lambda chemin: chemin)
    remplir(client_rupn, participation_a)
    with django_capture_on_commit_callbacks(execute=True):
        client_rupn.post(reverse("enquetes:participation_soumettre", args=[participation_a.uuid]))
    participation_a.refresh_from_db()
    assert participation_a.statut == Participation.Statut.SOUMISE and not participation_a.rouverte
    assert not participation_a.modifiable()


# Accès


def test_un_autre_rupn_ne_voit_pas_la_participation(participation_a, college_a):
    autre = RoleFactory(utilisateur=UtilisateurFactory(), type="rupn", etablissement=college_a).utilisateur
    DesignationFactory(etablissement=college_a, agent=autre, annee=participation_a.enquete.annee, acceptee=True)
    client = client_de(autre)
    for url in (
        participation_a.get_absolute_url(),
        url_etape(participation_a, 1),
        reverse("enquetes:participation_recapitulatif", args=[participation_a.uuid]),
        reverse("enquetes:compte_rendu_pdf", args=[participation_a.uuid]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(url_etape(participation_a, 1), {"discipline": "x"}).status_code == 404
    assert not Reponse.objects.exists()


def test_la_direction_lit_mais_ne_remplit_pas(participation_a, chef_a):
    client = client_de(chef_a)
    assert client.get(participation_a.get_absolute_url()).status_code == 200
    assert client.get(url_etape(participation_a, 1)).status_code == 403
    assert client.post(url_etape(participation_a, 1), {"discipline": "x"}).status_code == 403
    assert not Reponse.objects.exists()


# Requêtes


def test_la_saisie_fait_un_nombre_borne_de_requetes(
    participation_a, etapes, journal, client_rupn, django_assert_max_num_queries
):
    remplir(client_rupn, participation_a)
    Reponse.objects.filter(question__prerempli__startswith="journal_").delete()
    etape = _etape_de(etapes, "accompagnements")
    # session, personne, rôles, participation, sections, questions, réponses, journal
    with django_assert_max_num_queries(8):
        client_rupn.get(url_etape(participation_a, etape.rang))
    # sans le journal ; + verrou, réponses existantes, créations, modifications, participation, point de reprise
    with django_assert_max_num_queries(15):
        client_rupn.post(url_etape(participation_a, etape.rang), donnees_etape(etape), HTTP_ACCEPT="application/json")
    with django_assert_max_num_queries(7):
        client_rupn.get(reverse("enquetes:participation_recapitulatif", args=[participation_a.uuid]))
    with django_assert_max_num_queries(6):
        client_rupn.get(reverse("enquetes:mes_enquetes"))


def test_l_accueil_du_rupn_annonce_l_enquete_a_remplir(participation_a, client_rupn):
    contenu = client_rupn.get(reverse("accueil")).content.decode()
    assert participation_a.get_absolute_url() in contenu and "à remplir" in contenu
    assert reverse("enquetes:mes_enquetes") in contenu  # le menu
