"""Commande relancer_lettres : à qui la lettre en attente est rappelée, un courriel par personne, au plus une fois
tous les N jours par lettre, simulation, texte du courriel et nombre de requêtes."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from lettres.management.commands.relancer_lettres import relancer_lettres
from lettres.models import Approbation, LettreMission, Signature
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.territoires.models import AnneeScolaire
from tests.factories import (
    DesignationFactory,
    EtablissementFactory,
    LettreMissionFactory,
    RoleFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db

JOURS = 7
Statut = LettreMission.Statut


@pytest.fixture(autouse=True)
def _reglages(settings):
    settings.RUPN_RELANCE_JOURS = JOURS
    settings.RUPN_URL_SITE = "https://rupn.example"


def il_y_a(jours, heures=0):
    return timezone.now() - datetime.timedelta(days=jours, hours=heures)


def vieillir(lettre, jours=JOURS + 1):
    """La lettre n'a plus été modifiée depuis `jours` jours."""
    LettreMission.objects.filter(pk=lettre.pk).update(modifiee_le=il_y_a(jours))
    lettre.refresh_from_db()
    return lettre


def lettre(etablissement, *rupn, statut=Statut.BROUILLON, jours=JOURS + 1, annee_scolaire=None, **champs):
    """Une lettre de l'année en cours (sauf `annee_scolaire`) de l'établissement, pour les désignations des
    personnes `rupn` (sans elles, une personne quelconque), modifiée pour la dernière fois il y a `jours` jours."""
    annee_scolaire = annee_scolaire or AnneeScolaire.objects.courante()
    designations = [
        Designation.objects.filter(etablissement=etablissement, agent=personne, annee=annee_scolaire).first()
        or DesignationFactory(etablissement=etablissement, agent=personne, annee=annee_scolaire, acceptee=True)
        for personne in rupn
    ]
    nouvelle = LettreMissionFactory(
        etablissement=etablissement, annee=annee_scolaire, statut=statut, designations=designations or None, **champs
    )
    return vieillir(nouvelle, jours)


def signer(lettre, personne, *, jours=JOURS + 1, qualite=Signature.Qualite.RUPN):
    return Signature.objects.create(
        lettre=lettre,
        signataire=personne,
        qualite=qualite,
        horodatage=il_y_a(jours),
        methode_authentification=Signature.Methode.MOT_DE_PASSE,
        empreinte_contenu="0" * 64,
        texte_consentement="Signée pour le test.",
    )


def relancer(capture, *options):
    sortie = StringIO()
    with capture(execute=True):
        call_command("relancer_lettres", *options, stdout=sortie)
    return sortie.getvalue()


def destinataires():
    return sorted(adresse for courriel in mail.outbox for adresse in courriel.to)


def courriel_de(adresse):
    (courriel,) = [courriel for courriel in mail.outbox if courriel.to == [adresse]]
    return courriel


@pytest.fixture
def rupn_2(college_a):
    return RoleFactory(
        type=Role.Type.RUPN, etablissement=college_a, utilisateur__email="rupn.2@rupn.example"
    ).utilisateur


# Qui reçoit le rappel


def test_un_brouillon_est_rappele_a_la_direction(chef_a, adjoint_a, rupn_a, chef_b, college_a, capture):
    brouillon = lettre(college_a, rupn_a)
    sortie = relancer(capture)
    assert destinataires() == ["adjoint.a@rupn.example", "chef.a@rupn.example"]
    assert "brouillon à terminer" in courriel_de("chef.a@rupn.example").body
    assert sortie.strip() == "2 personnes relancées, pour 1 lettre"
    rappelee = LettreMission.objects.get(pk=brouillon.pk)
    assert rappelee.relancee_le is not None
    assert rappelee.modifiee_le == brouillon.modifiee_le, "un rappel n'est pas une modification"


def test_en_relecture_seuls_les_rupn_qui_n_ont_pas_approuve_la_revision(chef_a, rupn_a, rupn_2, college_a, capture):
    relue = lettre(college_a, rupn_a, rupn_2, statut=Statut.RELECTURE, revision=2)
    Approbation.objects.create(lettre=relue, rupn=rupn_a, revision=2)
    Approbation.objects.create(lettre=relue, rupn=rupn_2, revision=1)  # une révision d'avant ne compte plus
    relancer(capture)
    assert destinataires() == ["rupn.2@rupn.example"]
    assert "à relire, puis à approuver ou à commenter" in mail.outbox[0].body


def test_a_signer_les_rupn_qui_n_ont_pas_signe(chef_a, rupn_a, rupn_2, college_a, capture):
    a_signer = lettre(college_a, rupn_a, rupn_2, statut=Statut.SIGNATURE)
    signer(a_signer, rupn_a)
    signer(a_signer, rupn_2)
    Signature.objects.filter(signataire=rupn_2).update(annulee_le=timezone.now())
    relancer(capture)
    assert destinataires() == ["rupn.2@rupn.example"], "une signature annulée est à redonner"
    assert "à signer pour accord" in mail.outbox[0].body


def test_a_signer_la_direction_quand_chaque_rupn_a_signe(chef_a, adjoint_a, rupn_a, college_a, capture):
    a_signer = lettre(college_a, rupn_a, statut=Statut.SIGNATURE)
    signer(a_signer, rupn_a)
    relancer(capture)
    assert destinataires() == ["adjoint.a@rupn.example", "chef.a@rupn.example"]
    assert "votre signature scelle la lettre" in mail.outbox[0].body


def test_le_tour_de_la_direction_commence_a_la_derniere_signature(chef_a, rupn_a, college_a, capture):
    a_signer = lettre(college_a, rupn_a, statut=Statut.SIGNATURE)
    signer(a_signer, rupn_a, jours=2)
    assert relancer(capture).strip() == "0 personne relancée, pour 0 lettre"
    assert mail.outbox == []
    assert LettreMission.objects.get(pk=a_signer.pk).relancee_le is None


@pytest.mark.parametrize("statut", [Statut.SCELLEE, Statut.ANNULEE, Statut.REMPLACEE])
def test_une_lettre_terminee_n_est_jamais_rappelee(chef_a, rupn_a, college_a, capture, statut):
    lettre(college_a, rupn_a, statut=statut, jours=100)
    relancer(capture)
    assert mail.outbox == []


def test_ni_une_lettre_recente_ni_une_annee_terminee(chef_a, rupn_a, college_a, capture):
    lettre(college_a, rupn_a, jours=JOURS - 1)
    # L'année scolaire précédente est terminée : sa lettre ne sera plus signée.
    precedente = AnneeScolaire.objects.filter(fin__lt=timezone.localdate()).order_by("-fin").first()
    lettre(college_a, rupn_a, annee_scolaire=precedente, jours=100)
    relancer(capture)
    assert mail.outbox == []


def test_ni_une_direction_partie_ni_un_compte_desactive(chef_a, rupn_a, college_a, capture):
    RoleFactory(
        type=Role.Type.ADJOINT, etablissement=college_a, debut=datetime.date(2023, 9, 1), fin=datetime.date(2024, 8, 31)
    )
    rupn_a.is_active = False
    rupn_a.save()
    lettre(college_a, rupn_a)
    lettre(college_a, rupn_a, statut=Statut.RELECTURE)
    sortie = relancer(capture)
    assert destinataires() == ["chef.a@rupn.example"]
    assert "1 lettre sans personne à qui écrire" in sortie


def test_une_lettre_sans_direction_connue_est_signalee_et_reste_a_rappeler(rupn_a, college_b, capture):
    sans_direction = lettre(college_b)
    sortie = relancer(capture)
    assert mail.outbox == []
    assert f"1 lettre sans personne à qui écrire (direction inconnue ou comptes désactivés) : {college_b.uai}" in sortie
    assert LettreMission.objects.get(pk=sans_direction.pk).relancee_le is None


# Un courriel par personne, idempotence


def test_un_seul_courriel_par_personne_pour_toutes_ses_lettres(chef_a, chef_b, rupn_a, college_a, college_b, capture):
    brouillon = lettre(college_a)
    a_signer = lettre(college_a, rupn_a, statut=Statut.SIGNATURE)
    signer(a_signer, rupn_a)
    en_relecture = lettre(college_b, rupn_a, statut=Statut.RELECTURE)
    a_signer_b = lettre(college_b, rupn_a, statut=Statut.SIGNATURE)
    relancer(capture)
    # Rien pour la direction du collège B : ses lettres attendent encore rupn_a.
    assert destinataires() == ["chef.a@rupn.example", "rupn.a@rupn.example"]
    chef = courriel_de("chef.a@rupn.example")
    assert chef.subject.endswith("Rappel : 2 lettres de mission attendent votre action")
    assert chef.body.count("https://rupn.example/") == 2
    assert brouillon.get_absolute_url() in chef.body and a_signer.get_absolute_url() in chef.body
    rupn = courriel_de("rupn.a@rupn.example")
    assert en_relecture.get_absolute_url() in rupn.body and a_signer_b.get_absolute_url() in rupn.body
    assert a_signer.get_absolute_url() not in rupn.body, "rupn_a a déjà signé celle du collège A"
    assert "Des lettres de mission attendent votre action" in rupn.body


def test_relancer_deux_fois_n_envoie_rien_la_seconde(chef_a, college_a, capture):
    brouillon = lettre(college_a)
    relancer(capture)
    assert len(mail.outbox) == 1
    assert relancer(capture).strip() == "0 personne relancée, pour 0 lettre"
    assert len(mail.outbox) == 1
    # Un jour avant le délai : toujours rien ; le délai passé, la lettre qui attend encore est rappelée.
    LettreMission.objects.filter(pk=brouillon.pk).update(relancee_le=il_y_a(JOURS - 1))
    relancer(capture)
    assert len(mail.outbox) == 1
    LettreMission.objects.filter(pk=brouillon.pk).update(relancee_le=il_y_a(JOURS, heures=1))
    relancer(capture)
    assert len(mail.outbox) == 2


def test_l_option_jours(chef_a, college_a, capture):
    lettre(college_a, jours=4)
    relancer(capture)
    assert mail.outbox == []
    relancer(capture, "--jours", "3")
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="supérieur ou égal à 1"):
        call_command("relancer_lettres", "--jours", "0", stdout=StringIO())


def test_la_simulation_n_envoie_ni_n_ecrit_rien(chef_a, rupn_a, college_a, capture):
    brouillon = lettre(college_a)
    relue = lettre(college_a, rupn_a, statut=Statut.RELECTURE)
    sortie = relancer(capture, "--simulation")
    assert mail.outbox == []
    assert not LettreMission.objects.filter(relancee_le__isnull=False).exists()
    lignes = sortie.splitlines()
    assert lignes[0] == f"chef.a@rupn.example ({chef_a}) : 1 lettre"
    assert lignes[1].startswith(f"  - Collège A ({college_a.uai}), {brouillon.annee} : brouillon à terminer")
    assert lignes[1].endswith(f"depuis le {timezone.localtime(brouillon.modifiee_le):%d/%m/%Y}")
    assert lignes[2] == f"rupn.a@rupn.example ({rupn_a}) : 1 lettre"
    assert "à relire" in lignes[3]
    simulation = "Simulation (aucun courriel envoyé, rien d'enregistré) — 2 personnes à relancer, pour 2 lettres"
    assert lignes[-1] == simulation
    # La vraie relance envoie ensuite ce que la simulation annonçait.
    relancer(capture)
    assert destinataires() == ["chef.a@rupn.example", "rupn.a@rupn.example"]
    assert relue.get_absolute_url() in courriel_de("rupn.a@rupn.example").body


# Texte du courriel


def test_texte_du_courriel(settings, chef_a, college_a, capture):
    chef_a.first_name = "Dominique"
    chef_a.save()
    college_a.nom = "Collège de l'Hers"
    college_a.save()
    brouillon = lettre(college_a)
    relancer(capture)
    (courriel,) = mail.outbox
    assert courriel.subject == f"[{settings.RUPN_NOM_SERVICE}] Rappel : une lettre de mission attend votre action"
    corps = courriel.body
    assert corps.startswith("Bonjour Dominique,\n\nUne lettre de mission attend votre action :")
    assert f"- Collège de l'Hers ({college_a.uai}), année scolaire {brouillon.annee} : brouillon à terminer" in corps
    assert f"  https://rupn.example{brouillon.get_absolute_url()}\n" in corps
    assert f"au plus une fois tous les {JOURS} jours" in corps
    assert "&#x27;" not in corps and settings.RUPN_NOM_SERVICE in corps


# Requêtes


def test_nombre_de_requetes_borne(chef_a, rupn_a, college_a, django_assert_max_num_queries):
    def requetes():
        LettreMission.objects.update(relancee_le=None)
        with django_assert_max_num_queries(10) as capture:
            relancer_lettres()
        return len(capture)

    lettre(college_a, rupn_a)
    peu = requetes()
    for _ in range(4):
        etablissement = EtablissementFactory()
        RoleFactory(type=Role.Type.CHEF, etablissement=etablissement)
        for statut in (Statut.BROUILLON, Statut.RELECTURE, Statut.SIGNATURE):
            lettre(etablissement, rupn_a, UtilisateurFactory(), statut=statut)
    assert requetes() == peu, "pas de requête par lettre ni par personne"


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks
