"""Relances : la direction d'un établissement sans RUPN (par la DANE, depuis la couverture) et les
personnes dont une désignation attend la réponse (commande relancer_designations)."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from missions.models import Designation, RelanceCouverture
from rupn.territoires.models import AnneeScolaire, Departement
from tests.conftest import client_de
from tests.factories import DesignationFactory, EtablissementFactory, UtilisateurFactory, annee

pytestmark = pytest.mark.django_db

ANNEE = "2025-2026"
RELANCER = reverse("missions:couverture_relancer")


def messages_de(reponse):
    return [str(message) for message in reponse.wsgi_request._messages]


def relancer(utilisateur, capture, *etablissements, **donnees):
    donnees = {"annee": ANNEE, "action": "selection", **donnees}
    if etablissements:
        donnees["etablissements"] = [str(etablissement.uuid) for etablissement in etablissements]
    with capture(execute=True):
        return client_de(utilisateur).post(RELANCER, donnees)


# Relance de la direction des établissements sans RUPN


def test_la_dane_relance_la_direction_d_un_etablissement_sans_rupn(
    dane_toulouse, chef_a, adjoint_a, chef_b, college_a, django_capture_on_commit_callbacks
):
    DesignationFactory(etablissement=college_a)  # seulement proposée : toujours sans RUPN
    departement = Departement.objects.get(code="031").pk
    reponse = relancer(dane_toulouse, django_capture_on_commit_callbacks, college_a, departement=departement)
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{reverse('missions:couverture')}?annee={ANNEE}&departement={departement}"
    assert messages_de(reponse) == ["1 établissement relancé."]
    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert sorted(courriel.to) == ["adjoint.a@rupn.example", "chef.a@rupn.example"]
    assert courriel.subject == f"[{settings.RUPN_NOM_SERVICE}] Désignation du RUPN pour l'année {ANNEE}"
    assert college_a.nom in courriel.body and college_a.uai in courriel.body
    assert "http://testserver" + reverse("missions:designation_creer") in courriel.body
    assert str(dane_toulouse) in courriel.body
    relance = RelanceCouverture.objects.get()
    assert (relance.etablissement, relance.annee.code, relance.par) == (college_a, ANNEE, dane_toulouse)


def test_le_courriel_n_est_pas_echappe_comme_du_html(dane_toulouse, django_capture_on_commit_callbacks):
    etablissement = EtablissementFactory(nom="Collège de l'Hers", email="ce.0310000@ac-toulouse.example")
    relancer(dane_toulouse, django_capture_on_commit_callbacks, etablissement)
    assert mail.outbox[0].to == ["ce.0310000@ac-toulouse.example"]
    assert "Collège de l'Hers" in mail.outbox[0].body and "&#x27;" not in mail.outbox[0].body


def test_pas_de_seconde_relance_dans_le_delai(dane_toulouse, chef_a, college_a, django_capture_on_commit_callbacks):
    relancer(dane_toulouse, django_capture_on_commit_callbacks, college_a)
    reponse = relancer(dane_toulouse, django_capture_on_commit_callbacks, college_a)
    assert len(mail.outbox) == 1
    assert RelanceCouverture.objects.count() == 1
    jours = settings.RUPN_RELANCE_JOURS
    assert messages_de(reponse) == [
        f"0 établissement relancé. 1 déjà relancé depuis moins de {jours} jours : pas de nouveau courriel."
    ]
    RelanceCouverture.objects.update(le=timezone.now() - datetime.timedelta(days=jours, minutes=1))
    relancer(dane_toulouse, django_capture_on_commit_callbacks, college_a)
    assert len(mail.outbox) == 2
    assert RelanceCouverture.objects.count() == 2


def test_une_relance_d_une_autre_annee_ne_compte_pas(
    dane_toulouse, chef_a, college_a, django_capture_on_commit_callbacks
):
    RelanceCouverture.objects.create(etablissement=college_a, annee=annee("2024-2025"), par=dane_toulouse)
    relancer(dane_toulouse, django_capture_on_commit_callbacks, college_a)
    assert len(mail.outbox) == 1


def test_relancer_tous_les_etablissements_de_la_liste(
    dane_toulouse, chef_a, chef_b, college_a, college_b, college_tarn, django_capture_on_commit_callbacks
):
    couvert = EtablissementFactory(nom="Collège couvert", email="couvert@ac-toulouse.example")
    DesignationFactory(etablissement=couvert, validee=True)
    EtablissementFactory(ferme=True, email="ferme@ac-toulouse.example")
    sans_personne = EtablissementFactory(nom="Collège sans adresse")
    departement = Departement.objects.get(code="031").pk
    reponse = relancer(dane_toulouse, django_capture_on_commit_callbacks, action="tous", departement=departement)
    destinataires = sorted(adresse for courriel in mail.outbox for adresse in courriel.to)
    assert destinataires == ["chef.a@rupn.example", "chef.b@rupn.example"]  # ni le Tarn, ni le couvert, ni le fermé
    assert set(RelanceCouverture.objects.values_list("etablissement__nom", flat=True)) == {"Collège A", "Collège B"}
    assert messages_de(reponse) == [
        "2 établissements relancés. 1 sans direction connue ni adresse électronique : invitez le chef "
        "d'établissement ou complétez l'annuaire."
    ]
    assert all(sans_personne.nom not in courriel.body for courriel in mail.outbox)


def test_un_etablissement_couvert_est_ignore(dane_toulouse, chef_a, college_a, django_capture_on_commit_callbacks):
    DesignationFactory(etablissement=college_a, acceptee=True)
    reponse = relancer(dane_toulouse, django_capture_on_commit_callbacks, college_a)
    assert mail.outbox == []
    assert not RelanceCouverture.objects.exists()
    assert "1 ignoré" in messages_de(reponse)[0]


def test_la_dane_de_montpellier_ne_relance_pas_toulouse(
    dane_montpellier, chef_a, college_a, college_herault, django_capture_on_commit_callbacks
):
    reponse = relancer(dane_montpellier, django_capture_on_commit_callbacks, college_a)
    assert reponse.status_code == 302
    assert mail.outbox == [] and not RelanceCouverture.objects.exists()
    assert messages_de(reponse)[0].startswith("0 établissement relancé.")
    reponse = relancer(dane_montpellier, django_capture_on_commit_callbacks, action="tous")
    assert mail.outbox == [] and not RelanceCouverture.objects.exists()
    # Seul le collège de l'Hérault (sans direction ni adresse) était dans sa liste.
    assert messages_de(reponse)[0].startswith("0 établissement relancé. 1 sans direction connue")


def test_un_filtre_d_une_autre_academie_n_envoie_rien(
    dane_toulouse, chef_a, college_a, django_capture_on_commit_callbacks
):
    herault = Departement.objects.get(code="034").pk
    reponse = relancer(dane_toulouse, django_capture_on_commit_callbacks, action="tous", departement=herault)
    assert mail.outbox == []
    assert "aucun courriel n'est parti" in messages_de(reponse)[0]


@pytest.mark.parametrize("valeurs", [[], ["pas-un-uuid"]])
def test_rien_de_coche(dane_toulouse, valeurs):
    reponse = client_de(dane_toulouse).post(RELANCER, {"annee": ANNEE, "etablissements": valeurs})
    assert reponse.status_code == 302
    assert messages_de(reponse) == ["Cochez au moins un établissement à relancer, ou relancez toute la liste."]


@pytest.mark.parametrize("personne", ["chef_a", "correspondant_31", "national"])
def test_seule_la_dane_relance(personne, request, college_a):
    reponse = client_de(request.getfixturevalue(personne)).post(
        RELANCER, {"annee": ANNEE, "etablissements": [str(college_a.uuid)]}
    )
    assert reponse.status_code == 403
    assert not RelanceCouverture.objects.exists()


def test_relancer_demande_un_post(dane_toulouse):
    assert client_de(dane_toulouse).get(RELANCER).status_code == 405


# Commande relancer_designations


@pytest.fixture
def en_cours():
    """L'année scolaire en cours : une proposition d'une année passée n'est plus relancée."""
    return AnneeScolaire.objects.courante()


def proposer(annee_scolaire, il_y_a=10, **champs):
    designation = DesignationFactory(annee=annee_scolaire, **champs)
    Designation.objects.filter(pk=designation.pk).update(cree_le=timezone.now() - datetime.timedelta(days=il_y_a))
    return designation


def commande(capture, *options):
    sortie = StringIO()
    with capture(execute=True):
        call_command("relancer_designations", *options, stdout=sortie)
    return sortie.getvalue().strip()


def reculer_les_relances(jours):
    for designation in Designation.objects.exclude(derniere_relance_le=None):
        designation.derniere_relance_le -= datetime.timedelta(days=jours)
        designation.save(update_fields=["derniere_relance_le"])


def test_deux_lancements_de_suite(en_cours, django_capture_on_commit_callbacks):
    designation = proposer(en_cours, agent=UtilisateurFactory(first_name="Inès"))
    assert commande(django_capture_on_commit_callbacks) == "1 personne relancée"
    assert commande(django_capture_on_commit_callbacks) == "0 personne relancée"
    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert courriel.to == [designation.agent.email]
    assert courriel.body.startswith("Bonjour Inès,")
    assert settings.RUPN_URL_SITE + reverse("missions:designation_repondre", args=[designation.jeton]) in courriel.body
    assert courriel.subject.endswith("Rappel : une désignation comme RUPN attend votre réponse")


def test_de_nouveau_apres_le_delai(en_cours, django_capture_on_commit_callbacks):
    proposer(en_cours, il_y_a=30)
    commande(django_capture_on_commit_callbacks)
    reculer_les_relances(settings.RUPN_RELANCE_JOURS - 1)
    assert commande(django_capture_on_commit_callbacks) == "0 personne relancée"
    reculer_les_relances(1)
    assert commande(django_capture_on_commit_callbacks) == "1 personne relancée"
    assert len(mail.outbox) == 2


def test_un_seul_courriel_pour_deux_designations_en_attente(en_cours, django_capture_on_commit_callbacks):
    agent = UtilisateurFactory()
    premiere = proposer(en_cours, agent=agent, etablissement=EtablissementFactory(nom="Collège Jean Jaurès"))
    seconde = proposer(en_cours, agent=agent, etablissement=EtablissementFactory(nom="Lycée d'Occitanie"))
    assert commande(django_capture_on_commit_callbacks) == "1 personne relancée"
    assert len(mail.outbox) == 1
    corps = mail.outbox[0].body
    assert "Collège Jean Jaurès" in corps and "Lycée d'Occitanie" in corps
    assert premiere.jeton in corps and seconde.jeton in corps
    assert mail.outbox[0].subject.endswith("des désignations comme RUPN attendent votre réponse")
    # Une nouvelle proposition n'avance pas la relance suivante de la personne.
    proposer(en_cours, agent=agent)
    assert commande(django_capture_on_commit_callbacks) == "0 personne relancée"


def test_une_proposition_recente_n_est_pas_relancee(en_cours, django_capture_on_commit_callbacks):
    proposer(en_cours, il_y_a=2)
    assert commande(django_capture_on_commit_callbacks, "--jours", "3") == "0 personne relancée"
    assert commande(django_capture_on_commit_callbacks, "--jours", "2") == "1 personne relancée"


def test_une_designation_acceptee_n_est_jamais_relancee(en_cours, django_capture_on_commit_callbacks):
    for statut in ("acceptee", "validee", "refusee", "annulee", "terminee"):
        proposer(en_cours, il_y_a=60, statut=statut)
    assert commande(django_capture_on_commit_callbacks) == "0 personne relancée"
    assert mail.outbox == []


def test_une_proposition_d_une_annee_passee_n_est_plus_relancee(django_capture_on_commit_callbacks):
    proposer(annee("2022-2023"), il_y_a=60)
    assert commande(django_capture_on_commit_callbacks) == "0 personne relancée"


def test_simulation(en_cours, django_capture_on_commit_callbacks):
    proposer(en_cours)
    proposer(en_cours)
    assert commande(django_capture_on_commit_callbacks, "--simulation") == (
        "Simulation (aucun courriel envoyé) — 2 personnes relancées"
    )
    assert mail.outbox == []
    assert not Designation.objects.exclude(derniere_relance_le=None).exists()
    assert commande(django_capture_on_commit_callbacks) == "2 personnes relancées"
    assert len(mail.outbox) == 2


def test_jours_invalide():
    with pytest.raises(CommandError, match="supérieur ou égal à 1"):
        call_command("relancer_designations", "--jours", "0")
