"""Corrections de la relecture de la saisie et du compte-rendu : désignation annulée, réouverture, compte-rendu
figé à l'envoi, création des participations, messages, prise de connaissance, définitions uniques."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enquetes import analyse, construction, forms_saisie, resources, saisie, services
from enquetes.models import Participation, Question, est_vide
from missions.journal import activite_creer
from missions.models import Designation, heures
from rupn.comptes.models import Role
from rupn.courriels import url_du_site
from rupn.territoires.models import AnneeScolaire
from tests.conftest import client_de
from tests.enquetes.test_saisie import remplir
from tests.factories import DesignationFactory, LettreMissionFactory


@pytest.fixture
def soumise(participation_a, rupn_a):
    remplir(client_de(rupn_a), participation_a)
    return saisie.participation_envoyer(participation=participation_a, par=rupn_a)


def _annuler(participation, statut=Designation.Statut.ANNULEE):
    Designation.objects.filter(pk=participation.designation_id).update(statut=statut)
    return Participation.objects.select_related("enquete", "designation__etablissement").get(pk=participation.pk)


def _avec_role(personne):
    personne.role_actif = Role.objects.get(utilisateur=personne)
    return personne


def _entree(rupn, participation, categorie="formation"):
    activite_creer(
        par=rupn,
        designation=participation.designation,
        date=timezone.localdate(),
        categorie=categorie,
        duree=Decimal("2"),
        description="Séance",
        personnes_touchees=5,
    )


# 1. Désignation annulée ou refusée après le lancement


@pytest.mark.parametrize("statut", [Designation.Statut.ANNULEE, Designation.Statut.REFUSEE])
def test_une_designation_annulee_n_est_plus_ni_modifiable_ni_relancee_ni_attendue(
    participation_a, dane_toulouse, statut
):
    participation = _annuler(participation_a, statut)
    assert not participation.modifiable()
    raison = saisie.pourquoi_non_modifiable(participation)
    assert f"est {participation.designation.get_statut_display().lower()}" in raison
    assert "plus demandée" in raison
    enquete = participation.enquete
    assert not construction.non_repondants(enquete.participations.all()).exists()
    envois = construction.participations_relancer(
        enquete=enquete, participations=[participation], url_absolue=url_du_site
    )
    assert not envois.relancees and not mail.outbox
    assert not analyse.participations_du_perimetre(_avec_role(dane_toulouse), enquete).exists()
    assert Participation.objects.filter(pk=participation.pk).exists(), "la participation reste"


def test_une_participation_envoyee_puis_annulee_reste_lisible_et_comptee(soumise, dane_toulouse, chef_a):
    participation = _annuler(soumise)
    assert list(analyse.participations_du_perimetre(_avec_role(dane_toulouse), participation.enquete)) == [
        participation
    ]
    assert "Réponses à l'enquête" in client_de(chef_a).get(participation.get_absolute_url()).content.decode()


def test_l_accueil_du_rupn_ne_demande_plus_une_participation_annulee(participation_a, rupn_a):
    assert participation_a.get_absolute_url() in client_de(rupn_a).get(reverse("accueil")).content.decode()
    _annuler(participation_a)
    assert participation_a.get_absolute_url() not in client_de(rupn_a).get(reverse("accueil")).content.decode()


# 2. Réouverture


def test_la_reouverture_remet_a_zero_la_prise_de_connaissance(soumise, chef_a):
    saisie.participation_prendre_connaissance(participation=soumise, par=_avec_role(chef_a), commentaire="Lu.")
    participation = construction.participation_rouvrir(participation=soumise, url_absolue=url_du_site)
    participation.refresh_from_db()
    assert (participation.lue_le, participation.lue_par, participation.commentaire_direction) == (None, None, "")
    assert participation.compte_rendu is None


# 3. Compte-rendu figé à l'envoi


def _textes(participation, chef):
    participation = saisie.pour_lecture(Participation.objects).get(pk=participation.pk)
    return saisie.html_compte_rendu(participation), client_de(chef).get(
        participation.get_absolute_url()
    ).content.decode()


def test_le_compte_rendu_envoye_ne_change_plus(soumise, rupn_a, chef_a):
    masquee = Question.objects.get(enquete=soumise.enquete, code="anciennete_rupn")
    reformulee = Question.objects.get(enquete=soumise.enquete, code="discipline")
    ancien_libelle = reformulee.libelle
    html, page = _textes(soumise, chef_a)
    assert masquee.libelle.replace("'", "&#x27;") in html
    assert "Aucune entrée dans le journal" in html and "Aucune entrée dans le journal" in page

    construction.question_masquer(question=masquee)
    Question.objects.filter(pk=reformulee.pk).update(libelle="Un libellé reformulé ?")
    section = reformulee.section
    construction.question_creer(
        enquete=soumise.enquete,
        section=section,
        code="ajoutee_apres",
        libelle="Ajoutée après l'envoi ?",
        type="oui_non",
    )
    _entree(rupn_a, soumise)

    html_apres, page_apres = _textes(soumise, chef_a)
    for texte in (html_apres, page_apres):
        assert masquee.libelle.replace("'", "&#x27;") in texte
        assert ancien_libelle.replace("'", "&#x27;") in texte
        assert "Un libellé reformulé" not in texte and "Ajoutée après" not in texte
        assert "Aucune entrée dans le journal" in texte
    assert "tel qu'envoyé le" in page_apres

    # Rouvert puis envoyé de nouveau : la nouvelle version.
    construction.participation_rouvrir(participation=soumise, url_absolue=url_du_site)
    client_de(rupn_a).post(
        reverse("enquetes:participation_etape", args=[soumise.uuid, section.ordre]),
        {"_questions": ["ajoutee_apres"], "ajoutee_apres": "oui"},
    )
    saisie.participation_envoyer(participation=soumise, par=rupn_a)
    html_nouveau, page_nouvelle = _textes(soumise, chef_a)
    for texte in (html_nouveau, page_nouvelle):
        assert masquee.libelle.replace("'", "&#x27;") not in texte
        assert "Un libellé reformulé" in texte and "Ajoutée après l&#x27;envoi" in texte
        assert "Formation ou atelier animé" in texte


def test_le_compte_rendu_fige_garde_la_lettre(participation_a, rupn_a, chef_a):
    lettre = LettreMissionFactory(
        etablissement=participation_a.designation.etablissement,
        annee=participation_a.enquete.annee,
        designations=[participation_a.designation],
        statut="scellee",
    )
    lettre.contenu["axes"][1]["indicateurs"] = ["Ateliers proposés"]
    lettre.save()
    remplir(client_de(rupn_a), participation_a)
    soumise = saisie.participation_envoyer(participation=participation_a, par=rupn_a)
    lettre.contenu["axes"][1]["indicateurs"] = ["Autre indicateur"]
    lettre.save()
    html, page = _textes(soumise, chef_a)
    for texte in (html, page):
        assert "Ateliers proposés" in texte and "Autre indicateur" not in texte
    assert lettre.code_verification in html and lettre.get_absolute_url() in page


def test_un_brouillon_se_lit_en_direct(participation_a, rupn_a):
    remplir(client_de(rupn_a), participation_a)
    _entree(rupn_a, participation_a)
    assert "Formation ou atelier animé" in saisie.html_compte_rendu(participation_a)
    assert participation_a.compte_rendu is None


# 4. Création des participations


def test_mes_enquetes_ne_cree_que_les_participations_de_la_personne(
    enquete_ouverte, designation_de_rupn_a_cette_annee, college_b, rupn_a
):
    autre = DesignationFactory(etablissement=college_b, annee=AnneeScolaire.objects.courante(), acceptee=True)
    client_de(rupn_a).get(reverse("enquetes:mes_enquetes"))
    assert list(Participation.objects.values_list("designation", flat=True)) == [designation_de_rupn_a_cette_annee.pk]
    assert not Participation.objects.filter(designation=autre).exists()


def test_deux_creations_simultanees_ne_se_genent_pas(enquete_ouverte, designation_de_rupn_a_cette_annee, monkeypatch):
    """Le second appel a lu la désignation sans participation avant que le premier ne la crée."""
    (existante,) = services.participations_creer(enquete_ouverte)
    vue_avant_creation = Designation.objects.filter(pk=designation_de_rupn_a_cette_annee.pk)

    class SansParticipation:
        def filter(self, **criteres):
            return self if "participation__isnull" in criteres else vue_avant_creation.filter(**criteres)

        def values_list(self, *args, **kwargs):
            return vue_avant_creation.values_list(*args, **kwargs)

    monkeypatch.setattr(services, "designations_participantes", lambda enquete: SansParticipation())
    assert services.participations_creer(enquete_ouverte) == [existante]
    assert Participation.objects.count() == 1


# 5. Messages


def test_l_accueil_apres_la_cloture_ne_dit_plus_avant_le(participation_a, rupn_a):
    enquete = participation_a.enquete
    contenu = client_de(rupn_a).get(reverse("accueil")).content.decode()
    assert "au plus tard le" in contenu
    enquete.ouverture = timezone.localdate() - datetime.timedelta(days=30)
    enquete.cloture = timezone.localdate() - datetime.timedelta(days=1)
    enquete.save()
    contenu = client_de(rupn_a).get(reverse("accueil")).content.decode()
    assert "au plus tard le" not in contenu and "avant le" not in contenu
    assert "la campagne est close" in contenu and "rouvrir" in contenu


def test_les_raisons_disent_le_lancement_et_le_dernier_jour(participation_a):
    enquete = participation_a.enquete
    enquete.lancee_le = None
    assert "courriel à son lancement" in saisie.pourquoi_non_modifiable(participation_a)
    enquete.lancee_le = timezone.now()
    enquete.ouverture = datetime.date(2020, 6, 1)
    enquete.cloture = datetime.date(2020, 6, 30)
    raison = saisie.pourquoi_non_modifiable(participation_a)
    assert "dernier jour était le 30 juin 2020" in raison and "depuis le" not in raison


# 6. Prise de connaissance : le RUPN prévenu seulement s'il est joignable


def test_la_prise_de_connaissance_ne_previent_pas_un_rupn_desactive(
    soumise, chef_a, rupn_a, django_capture_on_commit_callbacks
):
    rupn_a.is_active = False
    rupn_a.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(chef_a).post(
            reverse("enquetes:prendre_connaissance", args=[soumise.uuid]), {"commentaire": ""}, follow=True
        )
    assert not mail.outbox
    contenu = reponse.content.decode()
    assert "enregistrée" in contenu and "en est prévenu" not in contenu and "pas prévenu" in contenu
    soumise.refresh_from_db()
    assert soumise.lue_par == chef_a


# 8. Une seule définition


def test_une_seule_definition_de_est_vide_et_des_heures():
    assert analyse.est_vide is forms_saisie.est_vide is est_vide
    assert resources.valeur_exportee([]) is None and est_vide("") and not est_vide(0) and not est_vide(False)
    assert saisie.texte_heures is heures
    assert not hasattr(saisie.Saisie, "questions")
