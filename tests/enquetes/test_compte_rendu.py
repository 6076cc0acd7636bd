"""Le compte-rendu : page et PDF (réponses, journal, indicateurs de la lettre), prise de connaissance par
la direction, liste des comptes-rendus de l'établissement."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enquetes import saisie
from enquetes.models import Participation
from missions.journal import activite_creer
from tests.conftest import client_de
from tests.enquetes.test_saisie import remplir
from tests.factories import LettreMissionFactory


@pytest.fixture
def soumise(participation_a, rupn_a):
    """La participation de rupn_a remplie et envoyée."""
    remplir(client_de(rupn_a), participation_a)
    return saisie.participation_envoyer(participation=participation_a, par=rupn_a)


@pytest.fixture
def lettre(participation_a):
    lettre = LettreMissionFactory(
        etablissement=participation_a.designation.etablissement,
        annee=participation_a.enquete.annee,
        designations=[participation_a.designation],
        statut="scellee",
    )
    lettre.contenu["axes"][1]["indicateurs"] = ["Nombre d'enseignants accompagnés", "Ateliers proposés"]
    lettre.save()
    return lettre


@pytest.fixture
def journal(participation_a, rupn_a):
    for categorie, personnes, duree in (("formation", 12, "2"), ("formation", 8, "1.5"), ("accompagnement", 1, "0.75")):
        activite_creer(
            par=rupn_a,
            designation=participation_a.designation,
            date=timezone.localdate(),
            categorie=categorie,
            duree=Decimal(duree),
            description="Séance",
            personnes_touchees=personnes,
        )


def url_connaissance(participation):
    return reverse("enquetes:prendre_connaissance", args=[participation.uuid])


def test_le_html_du_pdf_reprend_en_tete_reponses_journal_et_indicateurs(lettre, journal, soumise):
    html = saisie.html_compte_rendu(soumise)
    designation = soumise.designation
    for attendu in (
        "Académie de Toulouse",
        designation.etablissement.nom,
        designation.etablissement.uai,
        str(soumise.enquete.annee),
        str(designation.agent),
        "Votre profil",  # une section
        "Depuis combien d&#x27;années êtes-vous RUPN ?",
        "Une bonne année",  # une réponse
        "Première ligne<br>Seconde ligne",
        "4 sur 5",
        "Formation ou atelier animé",  # le journal
        '<td class="nombre">2</td><td class="nombre">20</td><td class="nombre">3,5</td>',
        "Nombre d&#x27;enseignants accompagnés",  # la lettre
        "Ateliers proposés",
        lettre.code_verification,
    ):
        assert attendu in html, attendu
    assert "Brouillon" not in html
    assert "static/dsfr/dist/fonts/Marianne-Regular.woff2" in html


def test_sans_lettre_ni_journal(soumise):
    html = saisie.html_compte_rendu(soumise)
    assert "Aucune lettre de mission ne porte cette désignation." in html
    assert "Aucune entrée dans le journal d'activités" in html


def test_la_direction_telecharge_le_pdf(soumise, chef_a):
    reponse = client_de(chef_a).get(reverse("enquetes:compte_rendu_pdf", args=[soumise.uuid]))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    disposition = reponse["Content-Disposition"]
    assert "attachment" in disposition and soumise.designation.etablissement.uai.lower() in disposition


def test_le_rupn_telecharge_un_brouillon_la_direction_attend_l_envoi(participation_a, rupn_a, chef_a):
    assert "Brouillon" in saisie.html_compte_rendu(participation_a)
    url = reverse("enquetes:compte_rendu_pdf", args=[participation_a.uuid])
    reponse = client_de(chef_a).get(url)
    assert reponse.status_code == 302 and reponse["Location"] == participation_a.get_absolute_url()
    contenu = client_de(chef_a).get(participation_a.get_absolute_url()).content.decode()
    assert "pas encore envoyé son compte-rendu" in contenu
    assert "Première ligne" not in contenu and "J'ai pris connaissance" not in contenu


def test_la_page_du_compte_rendu_pour_la_direction_et_l_academie(lettre, journal, soumise, chef_a, dane_toulouse):
    for personne in (chef_a, dane_toulouse):
        contenu = client_de(personne).get(soumise.get_absolute_url()).content.decode()
        assert "Une bonne année" in contenu and "Ateliers proposés" in contenu and "Total" in contenu
        assert reverse("enquetes:compte_rendu_pdf", args=[soumise.uuid]) in contenu
    page_direction = client_de(chef_a).get(soumise.get_absolute_url()).content.decode()
    assert "J'ai pris connaissance du compte-rendu" in page_direction
    page_dane = client_de(dane_toulouse).get(soumise.get_absolute_url()).content.decode()
    assert "J'ai pris connaissance du compte-rendu" not in page_dane


def test_la_direction_prend_connaissance_une_fois_et_le_rupn_est_prevenu(
    soumise, chef_a, adjoint_a, rupn_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(chef_a).post(url_connaissance(soumise), {"commentaire": "  Merci pour cette année.  "})
    assert reponse.status_code == 302
    soumise.refresh_from_db()
    assert soumise.lue_le is not None and soumise.lue_par == chef_a
    assert soumise.commentaire_direction == "Merci pour cette année."
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [rupn_a.email]
    assert "Merci pour cette année." in mail.outbox[0].body
    lue_le = soumise.lue_le
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(adjoint_a).post(url_connaissance(soumise), {"commentaire": "Autre"}, follow=True)
    assert "déjà enregistrée" in reponse.content.decode()
    soumise.refresh_from_db()
    assert (soumise.lue_le, soumise.lue_par) == (lue_le, chef_a)
    assert soumise.commentaire_direction == "Merci pour cette année."
    assert len(mail.outbox) == 1
    contenu = client_de(rupn_a).get(soumise.get_absolute_url()).content.decode()
    assert "a pris connaissance de ce compte-rendu" in contenu and "Merci pour cette année." in contenu


def test_un_commentaire_trop_long_est_signale_et_garde(soumise, chef_a):
    reponse = client_de(chef_a).post(url_connaissance(soumise), {"commentaire": "a" * 2001})
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert "2001 caractères : 2000 au plus." in contenu and 'id="commentaire-erreur"' in contenu
    assert "a" * 2001 in contenu
    soumise.refresh_from_db()
    assert soumise.lue_le is None


def test_on_ne_prend_pas_connaissance_d_un_compte_rendu_pas_envoye(participation_a, chef_a):
    reponse = client_de(chef_a).post(url_connaissance(participation_a), follow=True)
    assert "pas encore envoyé" in reponse.content.decode()
    assert Participation.objects.get(pk=participation_a.pk).lue_le is None


def test_la_liste_des_comptes_rendus_de_l_etablissement(soumise, chef_a, chef_b):
    url = reverse("enquetes:comptes_rendus")
    contenu = client_de(chef_a).get(url).content.decode()
    assert str(soumise.designation.agent) in contenu and "À lire" in contenu
    assert soumise.get_absolute_url() in contenu
    client_de(chef_a).post(url_connaissance(soumise))
    contenu = client_de(chef_a).get(url).content.decode()
    assert "À lire" not in contenu and "Lu</p> le" in contenu
    assert soumise.get_absolute_url() not in client_de(chef_b).get(url).content.decode()
    autre_annee = client_de(chef_a).get(url, {"annee": "2024-2025"}).content.decode()
    assert soumise.get_absolute_url() not in autre_annee


def test_le_compte_rendu_fait_un_nombre_borne_de_requetes(
    lettre, journal, soumise, chef_a, django_assert_max_num_queries
):
    client = client_de(chef_a)
    # session, personne, rôles, participation, sections, questions, réponses, lettre, journal
    with django_assert_max_num_queries(9):
        client.get(soumise.get_absolute_url())
    participation = saisie.pour_lecture(Participation.objects).get(pk=soumise.pk)
    with django_assert_max_num_queries(5):  # sections, questions, réponses, lettre, journal
        saisie.html_compte_rendu(participation)
    with django_assert_max_num_queries(6):  # session, personne, rôles, année, années, participations
        client.get(reverse("enquetes:comptes_rendus"))


def test_l_accueil_et_le_menu_menent_aux_comptes_rendus(soumise, chef_a, rupn_a):
    contenu = client_de(chef_a).get(reverse("accueil")).content.decode()
    assert "Comptes-rendus des RUPN</a> : 1 à lire" in contenu
    assert contenu.count(reverse("enquetes:comptes_rendus")) >= 2  # menu et accueil
    contenu = client_de(rupn_a).get(reverse("accueil")).content.decode()
    assert reverse("enquetes:mes_enquetes") in contenu
