"""Campagne de l'enquête : lancement (participations, invitations, idempotence), liste des participations,
relance des non-répondants choisis par la DANE, réouverture d'une participation."""

import datetime
import html

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enquetes import construction
from enquetes.models import Participation
from rupn.territoires.models import Departement
from tests.conftest import client_de
from tests.enquetes.test_construction import creer_participations, messages_de
from tests.factories import DesignationFactory, EtablissementFactory

pytestmark = pytest.mark.django_db

Statut = Participation.Statut


def url_absolue(chemin):
    return f"http://testserver{chemin}"


def page_de(reponse):
    return html.unescape(reponse.content.decode())


@pytest.fixture
def enquete_datee(enquete_toulouse):
    """L'enquête de Toulouse, pas encore lancée, ouverte d'aujourd'hui à dans un mois."""
    aujourd_hui = timezone.localdate()
    enquete_toulouse.ouverture = aujourd_hui
    enquete_toulouse.cloture = aujourd_hui + datetime.timedelta(days=30)
    enquete_toulouse.save()
    return enquete_toulouse


@pytest.fixture
def designations(enquete_datee, rupn_a, college_a, college_b, college_herault):
    """rupn_a (collège A) et une autre personne (collège B) acceptées ; une proposée ; une à Montpellier."""
    annee = enquete_datee.annee
    return {
        "a": DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee, acceptee=True),
        "b": DesignationFactory(etablissement=college_b, annee=annee, validee=True),
        "proposee": DesignationFactory(etablissement=college_b, annee=annee),
        "herault": DesignationFactory(etablissement=college_herault, annee=annee, acceptee=True),
    }


def lancer(enquete, capture, **options):
    with capture(execute=True):
        return construction.campagne_lancer(enquete=enquete, url_absolue=url_absolue, **options)


# Lancement


def test_le_lancement_cree_les_participations_et_invite_chaque_rupn(
    enquete_datee, designations, django_capture_on_commit_callbacks
):
    envois = lancer(enquete_datee, django_capture_on_commit_callbacks)
    assert {p.designation for p in envois.creees} == {designations["a"], designations["b"]}
    assert len(envois.invitees) == 2 and not envois.sans_adresse
    enquete_datee.refresh_from_db()
    assert enquete_datee.lancee and enquete_datee.ouverte()
    assert len(mail.outbox) == 2
    participation = designations["a"].participation
    courriel = next(c for c in mail.outbox if c.to == ["rupn.a@rupn.example"])
    assert courriel.subject == (
        f"[{settings.RUPN_NOM_SERVICE}] Enquête de fin d'année {enquete_datee.annee} : votre compte-rendu d'activité "
        "de RUPN"
    )
    assert f"http://testserver{reverse('enquetes:participation_detail', args=[participation.uuid])}" in courriel.body
    assert "Collège A" in courriel.body and "&#x27;" not in courriel.body
    assert participation.invitee_le is not None and participation.statut == Statut.A_FAIRE


def test_relancer_le_lancement_n_envoie_rien_de_plus(enquete_datee, designations, django_capture_on_commit_callbacks):
    lancer(enquete_datee, django_capture_on_commit_callbacks)
    DesignationFactory(etablissement=designations["b"].etablissement, annee=enquete_datee.annee, acceptee=True)
    envois = lancer(enquete_datee, django_capture_on_commit_callbacks)
    assert envois.deja_lancee and not envois.creees and not envois.invitees
    assert len(mail.outbox) == 2
    # La désignation acceptée après le lancement attend la commande de relance.
    assert Participation.objects.count() == 2


def test_le_lancement_demande_les_dates(enquete_toulouse, designations, django_capture_on_commit_callbacks):
    enquete_toulouse.refresh_from_db()
    enquete_toulouse.ouverture = enquete_toulouse.cloture = None
    enquete_toulouse.save()
    with pytest.raises(ValidationError) as erreur:
        lancer(enquete_toulouse, django_capture_on_commit_callbacks)
    assert set(erreur.value.message_dict) == {"ouverture", "cloture"}
    enquete_toulouse.refresh_from_db()
    assert not enquete_toulouse.lancee and not Participation.objects.exists() and not mail.outbox


def test_on_ne_lance_pas_une_campagne_dont_la_cloture_est_passee(enquete_datee, django_capture_on_commit_callbacks):
    enquete_datee.ouverture = timezone.localdate() - datetime.timedelta(days=30)
    enquete_datee.cloture = timezone.localdate() - datetime.timedelta(days=1)
    enquete_datee.save()
    with pytest.raises(ValidationError, match="est passée"):
        lancer(enquete_datee, django_capture_on_commit_callbacks)


def test_une_ouverture_a_venir_invite_sans_ouvrir_la_saisie(
    enquete_datee, designations, django_capture_on_commit_callbacks
):
    enquete_datee.ouverture = timezone.localdate() + datetime.timedelta(days=5)
    enquete_datee.save()
    lancer(enquete_datee, django_capture_on_commit_callbacks)
    enquete_datee.refresh_from_db()
    assert len(mail.outbox) == 2
    assert enquete_datee.lancee and not enquete_datee.ouverte()
    assert not designations["a"].participation.modifiable()
    assert construction.etat_campagne(enquete_datee).code == "a_venir"


def test_la_dane_lance_la_campagne_depuis_sa_page(
    dane_toulouse, enquete_datee, designations, django_capture_on_commit_callbacks
):
    url = reverse("enquetes:campagne_lancer", args=[enquete_datee.uuid])
    client = client_de(dane_toulouse)
    assert "Lancer la campagne et inviter 2 RUPN" in page_de(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url)
    assert reponse.status_code == 302 and reponse["Location"] == enquete_datee.get_absolute_url()
    assert messages_de(reponse) == ["Campagne lancée : 2 participations créées, 2 invitations envoyées."]
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url)
    assert messages_de(reponse)[-1] == "La campagne était déjà lancée : aucune invitation de plus n'est partie."
    assert len(mail.outbox) == 2
    assert "La campagne est lancée depuis le" in page_de(client.get(url))


def test_la_page_de_lancement_demande_d_abord_les_dates(dane_toulouse, enquete_toulouse):
    page = page_de(client_de(dane_toulouse).get(reverse("enquetes:campagne_lancer", args=[enquete_toulouse.uuid])))
    assert "Fixez d'abord les dates" in page and "Lancer la campagne et inviter" not in page
    reponse = client_de(dane_toulouse).post(reverse("enquetes:campagne_lancer", args=[enquete_toulouse.uuid]))
    assert "La campagne n'est pas lancée. Fixez la date d'ouverture" in messages_de(reponse)[0]


# Liste des participations


@pytest.fixture
def campagne(enquete_datee, designations, django_capture_on_commit_callbacks):
    """La campagne lancée : participation de rupn_a (à remplir) et du collège B (envoyée) ; courriels vidés."""
    lancer(enquete_datee, django_capture_on_commit_callbacks)
    enquete_datee.refresh_from_db()
    envoyee = designations["b"].participation
    envoyee.statut, envoyee.soumise_le = Statut.SOUMISE, timezone.now()
    envoyee.save()
    mail.outbox.clear()
    return {"enquete": enquete_datee, "a": designations["a"].participation, "b": envoyee}


def test_la_liste_filtre_par_etat_departement_et_etablissement(dane_toulouse, campagne, college_tarn):
    enquete = campagne["enquete"]
    tarn = DesignationFactory(etablissement=college_tarn, annee=enquete.annee, acceptee=True)
    Participation.objects.create(enquete=enquete, designation=tarn)
    url = reverse("enquetes:participation_liste", args=[enquete.uuid])
    client = client_de(dane_toulouse)

    def etablissements(**filtres):
        reponse = client.get(url, filtres)
        return sorted(p.designation.etablissement.nom for p in reponse.context["page"])

    assert etablissements() == ["Collège A", "Collège B", "Collège du Tarn"]
    assert etablissements(statut="soumise") == ["Collège B"]
    assert etablissements(departement=Departement.objects.get(code="081").pk) == ["Collège du Tarn"]
    assert etablissements(etablissement="tarn") == ["Collège du Tarn"]
    assert etablissements(etablissement=college_tarn.uai) == ["Collège du Tarn"]
    page = page_de(client.get(url))
    assert "Relancer les non-répondants sélectionnés" in page
    assert f'value="{campagne["a"].uuid}"' in page and f'value="{campagne["b"].uuid}"' not in page
    assert reverse("enquetes:participation_rouvrir", args=[campagne["b"].uuid]) in page
    assert reverse("enquetes:participation_rouvrir", args=[campagne["a"].uuid]) not in page


def test_le_correspondant_lit_les_participations_de_son_departement(correspondant_31, campagne, college_tarn):
    enquete = campagne["enquete"]
    tarn = DesignationFactory(etablissement=college_tarn, annee=enquete.annee, acceptee=True)
    Participation.objects.create(enquete=enquete, designation=tarn)
    reponse = client_de(correspondant_31).get(reverse("enquetes:participation_liste", args=[enquete.uuid]))
    assert sorted(p.designation.etablissement.nom for p in reponse.context["page"]) == ["Collège A", "Collège B"]
    page = page_de(reponse)
    assert "Relancer" not in page and "Rouvrir" not in page


@pytest.mark.parametrize("nombre", [3, 300])
def test_la_liste_fait_un_nombre_borne_de_requetes(
    dane_toulouse, enquete_ouverte, nombre, django_assert_max_num_queries
):
    creer_participations(enquete_ouverte, nombre)
    client = client_de(dane_toulouse)
    url = reverse("enquetes:participation_liste", args=[enquete_ouverte.uuid])
    with django_assert_max_num_queries(12):
        reponse = client.get(url)
    assert reponse.context["page"].paginator.count == nombre
    assert len(reponse.context["page"]) == min(nombre, 100)


# Relance des non-répondants choisis


def relancer(utilisateur, enquete, capture, *participations, parametres="", **donnees):
    url = reverse("enquetes:participations_relancer", args=[enquete.uuid]) + parametres
    if participations:
        donnees["participations"] = [str(p.uuid) for p in participations]
    with capture(execute=True):
        return client_de(utilisateur).post(url, donnees)


def test_la_dane_relance_seulement_les_non_repondants_selectionnes(
    dane_toulouse, campagne, django_capture_on_commit_callbacks
):
    enquete = campagne["enquete"]
    reponse = relancer(dane_toulouse, enquete, django_capture_on_commit_callbacks, campagne["a"], campagne["b"])
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("enquetes:participation_liste", args=[enquete.uuid])
    assert messages_de(reponse) == ["1 RUPN relancé. 1 participation déjà envoyée : pas de relance."]
    assert [courriel.to for courriel in mail.outbox] == [["rupn.a@rupn.example"]]
    assert mail.outbox[0].subject.endswith(f"Rappel : l'enquête de fin d'année {enquete.annee} attend vos réponses")
    assert f"http://testserver{campagne['a'].get_absolute_url()}" in mail.outbox[0].body
    campagne["a"].refresh_from_db()
    campagne["b"].refresh_from_db()
    assert campagne["a"].relancee_le is not None and campagne["b"].relancee_le is None


def test_la_dane_relance_tous_les_non_repondants_du_filtre(
    dane_toulouse, campagne, college_tarn, django_capture_on_commit_callbacks
):
    enquete = campagne["enquete"]
    tarn = DesignationFactory(etablissement=college_tarn, annee=enquete.annee, acceptee=True)
    Participation.objects.create(enquete=enquete, designation=tarn)
    haute_garonne = Departement.objects.get(code="031").pk
    reponse = relancer(
        dane_toulouse, enquete, django_capture_on_commit_callbacks, parametres=f"?departement={haute_garonne}", tout="1"
    )
    assert messages_de(reponse) == ["1 RUPN relancé."]
    assert reponse["Location"].endswith(f"?departement={haute_garonne}")
    assert [courriel.to for courriel in mail.outbox] == [["rupn.a@rupn.example"]]


def test_une_selection_vide_ne_relance_personne(dane_toulouse, campagne, django_capture_on_commit_callbacks):
    reponse = relancer(dane_toulouse, campagne["enquete"], django_capture_on_commit_callbacks)
    assert messages_de(reponse) == ["Aucune participation n'a été choisie : personne n'a été relancé."]
    assert not mail.outbox


def test_pas_de_relance_une_fois_la_campagne_close(dane_toulouse, campagne, django_capture_on_commit_callbacks):
    enquete = campagne["enquete"]
    enquete.ouverture = timezone.localdate() - datetime.timedelta(days=40)
    enquete.cloture = timezone.localdate() - datetime.timedelta(days=1)
    enquete.save()
    reponse = relancer(dane_toulouse, enquete, django_capture_on_commit_callbacks, campagne["a"])
    assert "La campagne est close" in messages_de(reponse)[0]
    assert not mail.outbox
    # La page ne propose plus de relancer.
    page = page_de(client_de(dane_toulouse).get(reverse("enquetes:participation_liste", args=[enquete.uuid])))
    assert "Relancer les non-répondants" not in page


def test_la_dane_de_montpellier_ne_relance_pas_a_toulouse(
    dane_montpellier, campagne, django_capture_on_commit_callbacks
):
    reponse = relancer(dane_montpellier, campagne["enquete"], django_capture_on_commit_callbacks, campagne["a"])
    assert reponse.status_code == 404 and not mail.outbox


# Réouverture


def rouvrir(utilisateur, participation, capture):
    with capture(execute=True):
        return client_de(utilisateur).post(reverse("enquetes:participation_rouvrir", args=[participation.uuid]))


def test_la_dane_rouvre_une_participation_envoyee(dane_toulouse, campagne, django_capture_on_commit_callbacks):
    envoyee = campagne["b"]
    page = page_de(client_de(dane_toulouse).get(reverse("enquetes:participation_rouvrir", args=[envoyee.uuid])))
    assert "Rouvrir la participation" in page
    reponse = rouvrir(dane_toulouse, envoyee, django_capture_on_commit_callbacks)
    assert reponse.status_code == 302
    assert "est rouverte jusqu'à son prochain envoi" in messages_de(reponse)[0]
    envoyee.refresh_from_db()
    assert (envoyee.statut, envoyee.rouverte, envoyee.soumise_le) == (Statut.EN_COURS, True, None)
    assert envoyee.modifiable()
    assert [courriel.to for courriel in mail.outbox] == [[envoyee.designation.agent.email]]
    assert "de nouveau modifiables" in mail.outbox[0].subject
    assert f"http://testserver{envoyee.get_absolute_url()}" in mail.outbox[0].body


def test_une_participation_encore_ouverte_ne_se_rouvre_pas(dane_toulouse, campagne, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="rien à rouvrir"):
        construction.participation_rouvrir(participation=campagne["a"], url_absolue=url_absolue)
    page = page_de(client_de(dane_toulouse).get(reverse("enquetes:participation_rouvrir", args=[campagne["a"].uuid])))
    assert "rien à rouvrir" in page and "Rouvrir la participation</button>" not in page
    reponse = rouvrir(dane_toulouse, campagne["a"], django_capture_on_commit_callbacks)
    assert "rien à rouvrir" in messages_de(reponse)[0]
    campagne["a"].refresh_from_db()
    assert not campagne["a"].rouverte and not mail.outbox


def test_apres_la_cloture_la_dane_rouvre_une_participation_non_envoyee(campagne, django_capture_on_commit_callbacks):
    enquete = campagne["enquete"]
    enquete.ouverture = timezone.localdate() - datetime.timedelta(days=40)
    enquete.cloture = timezone.localdate() - datetime.timedelta(days=1)
    enquete.save()
    participation = Participation.objects.get(pk=campagne["a"].pk)
    assert not participation.modifiable()
    with django_capture_on_commit_callbacks(execute=True):
        construction.participation_rouvrir(participation=participation, url_absolue=url_absolue)
    participation.refresh_from_db()
    assert participation.rouverte and participation.statut == Statut.EN_COURS and participation.modifiable()
    assert len(mail.outbox) == 1
    # Déjà rouverte : rien de plus.
    with pytest.raises(ValidationError):
        construction.participation_rouvrir(participation=participation, url_absolue=url_absolue)


def test_la_dane_de_montpellier_ne_rouvre_pas_a_toulouse(
    dane_montpellier, campagne, django_capture_on_commit_callbacks
):
    reponse = rouvrir(dane_montpellier, campagne["b"], django_capture_on_commit_callbacks)
    assert reponse.status_code == 404
    campagne["b"].refresh_from_db()
    assert campagne["b"].statut == Statut.SOUMISE


def test_une_personne_sans_adresse_n_est_pas_invitee(enquete_datee, college_a, django_capture_on_commit_callbacks):
    designation = DesignationFactory(
        etablissement=college_a, annee=enquete_datee.annee, acceptee=True, agent__is_active=False
    )
    envois = lancer(enquete_datee, django_capture_on_commit_callbacks)
    assert [p.designation for p in envois.sans_adresse] == [designation]
    assert not mail.outbox
    assert designation.participation.invitee_le is None


def test_un_etablissement_d_une_autre_academie_n_entre_pas(enquete_datee, django_capture_on_commit_callbacks):
    DesignationFactory(
        etablissement=EtablissementFactory(departement=Departement.objects.get(code="034")),
        annee=enquete_datee.annee,
        acceptee=True,
    )
    envois = lancer(enquete_datee, django_capture_on_commit_callbacks)
    assert not envois.creees and not mail.outbox


def test_un_double_envoi_de_la_relance_ne_relance_qu_une_fois(
    dane_toulouse, campagne, django_capture_on_commit_callbacks
):
    enquete = campagne["enquete"]
    relancer(dane_toulouse, enquete, django_capture_on_commit_callbacks, campagne["a"])
    reponse = relancer(dane_toulouse, enquete, django_capture_on_commit_callbacks, campagne["a"])
    assert len(mail.outbox) == 1
    assert reponse.status_code == 302


def test_le_correspondant_ne_voit_pas_les_effectifs_de_toute_l_academie(correspondant_31, dane_toulouse, campagne):
    url = campagne["enquete"].get_absolute_url()
    assert '<th scope="col">Réponses</th>' in client_de(dane_toulouse).get(url).content.decode()
    assert '<th scope="col">Réponses</th>' not in client_de(correspondant_31).get(url).content.decode()
