"""Ce que la vérification dans le navigateur a relevé : textes, montants, cases, saisie à la française."""

import datetime
from decimal import Decimal

from django.urls import reverse

from missions.models import Designation
from rupn.territoires.models import AnneeScolaire
from tests.conftest import client_de
from tests.factories import DesignationFactory, UtilisateurFactory, annee, taux


def _annee_en_cours():
    return AnneeScolaire.objects.courante()


def test_les_pages_de_liste_n_affichent_aucun_commentaire_de_gabarit(dane_toulouse):
    client = client_de(dane_toulouse)
    for nom in ("missions:academie_designations", "missions:couverture", "missions:enveloppe_liste"):
        contenu = client.get(reverse(nom)).content.decode()
        assert "{#" not in contenu and "{%" not in contenu, nom


def test_les_cases_des_taux_sont_des_cases_du_dsfr(dane_toulouse):
    contenu = client_de(dane_toulouse).get(reverse("missions:taux_parametres")).content.decode()
    assert 'dsfr="dsfr"' not in contenu
    assert contenu.count('type="checkbox" name="taux"') == 5 and contenu.count(" checked>") == 5


def test_une_designation_refusee_ne_montre_aucun_montant_du(chef_a, college_a):
    DesignationFactory(etablissement=college_a, annee=_annee_en_cours(), refusee=True, taux=taux(3750))
    contenu = client_de(chef_a).get(reverse("missions:designation_liste")).content.decode()
    assert "3\xa0750,00 €" not in contenu and "3750" not in contenu


def test_le_chef_voit_les_refus_de_l_annee_sur_son_accueil(chef_a, college_a):
    DesignationFactory(etablissement=college_a, annee=_annee_en_cours(), refusee=True)
    assert "1 désignation refusée" in client_de(chef_a).get(reverse("accueil")).content.decode()


def test_le_renouvellement_ne_repropose_pas_une_personne_qui_a_refuse(chef_a, college_a):
    courante = _annee_en_cours()
    precedente = annee(f"{courante.debut.year - 1}-{courante.debut.year}")
    ancienne = DesignationFactory(etablissement=college_a, annee=precedente, validee=True)
    DesignationFactory(etablissement=college_a, annee=courante, agent=ancienne.agent, refusee=True)
    reponse = client_de(chef_a).get(reverse("missions:designation_renouveler") + f"?annee={courante.code}")
    assert reponse.context["candidates"] == []


def test_on_ne_met_pas_fin_a_une_mission_deja_finie(chef_a, college_a):
    passee = DesignationFactory(etablissement=college_a, annee=annee("2024-2025"), validee=True)
    chef_a.role_actif = chef_a.roles.get()
    assert not passee.peut_terminer(chef_a)
    en_cours = DesignationFactory(etablissement=college_a, annee=_annee_en_cours(), validee=True)
    assert en_cours.peut_terminer(chef_a)


def test_l_allegement_se_saisit_avec_une_virgule(chef_a, college_a):
    courante = _annee_en_cours()
    personne = UtilisateurFactory()
    reponse = client_de(chef_a).post(
        reverse("missions:designation_creer") + f"?annee={courante.code}",
        {
            "email": personne.email,
            "first_name": "Léa",
            "last_name": "Virgule",
            "heures_allegement": "1,5",
            "debut": courante.debut.isoformat(),
            "fin": courante.fin.isoformat(),
        },
    )
    assert reponse.status_code == 302
    assert Designation.objects.get(agent=personne).heures_allegement == Decimal("1.5")


def test_les_actions_de_masse_demandent_confirmation(dane_toulouse, college_a, college_b):
    DesignationFactory(etablissement=college_a, annee=_annee_en_cours(), acceptee=True)
    client = client_de(dane_toulouse)
    assert "data-rupn-confirmer" in client.get(reverse("missions:academie_designations")).content.decode()
    assert "data-rupn-confirmer" in client.get(reverse("missions:couverture")).content.decode()


def test_les_dates_de_la_fabrique_suivent_l_annee(college_a):
    designation = DesignationFactory(etablissement=college_a, debut=datetime.date(2026, 2, 1))
    assert (designation.nb_mois, designation.montant) == (7, Decimal("729.17"))


def test_le_formulaire_montre_l_enveloppe_et_avertit_du_depassement(chef_a, college_a):
    from missions.models import Enveloppe

    courante = _annee_en_cours()
    Enveloppe.objects.create(etablissement=college_a, annee=courante, montant=Decimal("1000"))
    url = reverse("missions:designation_creer") + f"?annee={courante.code}"
    client = client_de(chef_a)
    assert "reste 1\u202f000,00 €" in client.get(url).content.decode().replace("\xa0", "\u202f")
    personne = UtilisateurFactory()
    reponse = client.post(
        url,
        {
            "email": personne.email,
            "first_name": "Léa",
            "last_name": "Dépassement",
            "taux": taux(1250).pk,
            "debut": courante.debut.isoformat(),
            "fin": courante.fin.isoformat(),
        },
        follow=True,
    )
    textes = [str(message) for message in reponse.context["messages"]]
    assert any("pour une enveloppe d'IMP de 1\u202f000 €" in texte for texte in textes)
