"""Commande relancer_enquete : participations manquantes et leurs invitations, relance des non-répondants au
plus une fois tous les N jours, simulation, campagne close ou pas lancée, choix de l'académie."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from enquetes import construction, services
from enquetes.models import Participation
from tests.factories import DesignationFactory, academie

pytestmark = pytest.mark.django_db


def commande(capture, **options):
    sortie = StringIO()
    with capture(execute=True):
        call_command("relancer_enquete", stdout=sortie, **options)
    return sortie.getvalue()


def il_y_a(jours):
    return timezone.now() - datetime.timedelta(days=jours, minutes=1)


@pytest.fixture
def lancee(enquete_ouverte, designation_de_rupn_a_cette_annee, django_capture_on_commit_callbacks):
    """La campagne ouverte de Toulouse, lancée avec la participation de rupn_a, invitée il y a N jours ;
    courriels vidés."""
    enquete_ouverte.lancee_le = None
    enquete_ouverte.save()
    with django_capture_on_commit_callbacks(execute=True):
        construction.campagne_lancer(enquete=enquete_ouverte, url_absolue=lambda chemin: chemin)
    Participation.objects.update(invitee_le=il_y_a(settings.RUPN_RELANCE_JOURS))
    mail.outbox.clear()
    enquete_ouverte.refresh_from_db()
    return enquete_ouverte


def test_les_designations_acceptees_depuis_le_lancement_sont_invitees(
    lancee, college_b, django_capture_on_commit_callbacks
):
    Participation.objects.update(relancee_le=timezone.now())  # rupn_a vient d'être relancé
    nouvelle = DesignationFactory(etablissement=college_b, annee=lancee.annee, acceptee=True)
    sortie = commande(django_capture_on_commit_callbacks)
    participation = nouvelle.participation
    assert participation.invitee_le is not None
    assert [courriel.to for courriel in mail.outbox] == [[nouvelle.agent.email]]
    assert "votre compte-rendu d'activité" in mail.outbox[0].subject
    assert f"{settings.RUPN_URL_SITE.rstrip('/')}{participation.get_absolute_url()}" in mail.outbox[0].body
    assert f"{lancee.academie}, {lancee.annee} : 1 participation créée, 1 invitation, 0 relance" in sortie
    assert "1 campagne : 1 participation créée, 1 invitation envoyée, 0 relance envoyée" in sortie


def test_la_commande_relance_les_non_repondants_une_fois_par_delai(
    lancee, designation_de_rupn_a_cette_annee, django_capture_on_commit_callbacks
):
    sortie = commande(django_capture_on_commit_callbacks)
    assert "0 participation créée, 0 invitation envoyée, 1 relance envoyée" in sortie
    assert [courriel.to for courriel in mail.outbox] == [["rupn.a@rupn.example"]]
    assert "attend vos réponses" in mail.outbox[0].subject
    participation = designation_de_rupn_a_cette_annee.participation
    participation.refresh_from_db()
    assert participation.relancee_le is not None
    # Idempotente : une seconde exécution n'envoie rien.
    assert "0 relance envoyée" in commande(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    # Passé le délai, une nouvelle relance.
    Participation.objects.update(relancee_le=il_y_a(settings.RUPN_RELANCE_JOURS))
    commande(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_le_delai_se_regle(lancee, django_capture_on_commit_callbacks):
    Participation.objects.update(invitee_le=il_y_a(2))
    assert "0 relance envoyée" in commande(django_capture_on_commit_callbacks)
    assert "1 relance envoyée" in commande(django_capture_on_commit_callbacks, jours=2)


def test_une_invitation_recente_n_est_pas_relancee(lancee, django_capture_on_commit_callbacks):
    Participation.objects.update(invitee_le=timezone.now())
    assert "0 relance envoyée" in commande(django_capture_on_commit_callbacks)
    assert not mail.outbox


def test_une_participation_envoyee_n_est_pas_relancee(lancee, django_capture_on_commit_callbacks):
    Participation.objects.update(statut=Participation.Statut.SOUMISE, soumise_le=timezone.now())
    assert "0 relance envoyée" in commande(django_capture_on_commit_callbacks)
    assert not mail.outbox


def test_la_simulation_n_envoie_ni_n_enregistre_rien(lancee, college_b, django_capture_on_commit_callbacks):
    nouvelle = DesignationFactory(etablissement=college_b, annee=lancee.annee, acceptee=True)
    sortie = commande(django_capture_on_commit_callbacks, simulation=True)
    assert sortie.splitlines()[-1] == (
        "Simulation (aucun courriel envoyé, rien d'enregistré) — 1 campagne : 1 participation créée, "
        "1 invitation envoyée, 1 relance envoyée"
    )
    assert not mail.outbox
    assert not Participation.objects.filter(designation=nouvelle).exists()
    assert not Participation.objects.filter(relancee_le__isnull=False).exists()


def test_rien_pour_une_campagne_close(lancee, college_b, django_capture_on_commit_callbacks):
    lancee.ouverture = timezone.localdate() - datetime.timedelta(days=40)
    lancee.cloture = timezone.localdate() - datetime.timedelta(days=1)
    lancee.save()
    DesignationFactory(etablissement=college_b, annee=lancee.annee, acceptee=True)
    sortie = commande(django_capture_on_commit_callbacks)
    assert sortie.strip() == "Aucune campagne lancée et ouverte : rien à faire."
    assert not mail.outbox and Participation.objects.count() == 1


def test_rien_pour_une_campagne_pas_lancee(
    enquete_toulouse, designation_de_rupn_a_cette_annee, django_capture_on_commit_callbacks
):
    assert "rien à faire" in commande(django_capture_on_commit_callbacks)
    assert not Participation.objects.exists() and not mail.outbox


def test_avant_l_ouverture_on_invite_sans_relancer(lancee, college_b, django_capture_on_commit_callbacks):
    lancee.ouverture = timezone.localdate() + datetime.timedelta(days=3)
    lancee.save()
    DesignationFactory(etablissement=college_b, annee=lancee.annee, acceptee=True)
    sortie = commande(django_capture_on_commit_callbacks)
    assert "1 participation créée, 1 invitation envoyée, 0 relance envoyée" in sortie
    assert len(mail.outbox) == 1


def test_le_choix_de_l_academie(lancee, django_capture_on_commit_callbacks):
    montpellier = services.enquete_creer(academie=academie("11"), annee=lancee.annee)
    montpellier.ouverture, montpellier.cloture, montpellier.lancee_le = lancee.ouverture, lancee.cloture, timezone.now()
    montpellier.save()
    sortie = commande(django_capture_on_commit_callbacks, academie="11")
    assert "Académie de Montpellier" in sortie and "Toulouse" not in sortie
    assert not mail.outbox
    sortie = commande(django_capture_on_commit_callbacks)
    assert "2 campagnes" in sortie and len(mail.outbox) == 1


@pytest.mark.parametrize(
    "options, message", [({"jours": 0}, "supérieur ou égal à 1"), ({"academie": "99"}, "Académie inconnue")]
)
def test_les_options_invalides_sont_refusees(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("relancer_enquete", stdout=StringIO(), **options)
