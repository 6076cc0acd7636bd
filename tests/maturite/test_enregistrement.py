"""Enregistrement item par item (maturite:item_enregistrer), appelé par static/js/maturite.js."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from rupn.maturite.models import NiveauDomaine, Positionnement
from tests.conftest import client_de
from tests.maturite.aides import EN_COURS, REALISE, items_de, remplir


def _url(etablissement):
    return reverse("maturite:item_enregistrer", args=[etablissement.uuid])


def _envoyer(client, etablissement, objet, statut, **autres):
    donnees = {"domaine": objet.domaine.code, "item": objet.code, "statut": statut, **autres}
    return client.post(_url(etablissement), donnees, HTTP_ACCEPT="application/json")


def test_un_item_s_enregistre_et_rend_le_niveau_du_domaine(college_a, chef_a, rupn_a, annee):
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE})
    dernier, *autres = reversed(items_de(college_a, "pilotage", 2))
    client = client_de(rupn_a)
    for item in autres:
        _envoyer(client, college_a, item, REALISE)
    reponse = _envoyer(client, college_a, dernier, REALISE)
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["enregistre"] is True
    assert re.fullmatch(r"Enregistré à \d\d:\d\d\.", corps["message"])
    assert corps["message"] == f"Enregistré à {corps['heure']}."
    niveau = NiveauDomaine.objects.get(etablissement=college_a, annee=annee, domaine_code="pilotage").niveau
    assert (corps["domaine"], corps["niveau"], niveau) == ("pilotage", 2, 2)
    nombre = len(items_de(college_a, "pilotage", 1)) + len(items_de(college_a, "pilotage", 2))
    assert (corps["realises"], corps["en_cours"], corps["total"]) == (nombre, 0, len(items_de(college_a, "pilotage")))
    assert corps["evolution"] is None  # rien l'an dernier
    positionnement = Positionnement.objects.get(etablissement=college_a, annee=annee, item=dernier)
    assert (positionnement.statut, positionnement.modifie_par) == (REALISE, rupn_a)
    # Le même item repasse en cours : le domaine retombe au niveau 1.
    corps = _envoyer(client, college_a, dernier, EN_COURS).json()
    assert (corps["niveau"], corps["en_cours"]) == (1, 1)
    assert Positionnement.objects.filter(etablissement=college_a, annee=annee, item=dernier).count() == 1


def test_un_statut_inconnu_est_refuse_en_400(college_a, chef_a, annee):
    item = items_de(college_a, "pilotage", 1)[0]
    reponse = _envoyer(client_de(chef_a), college_a, item, "termine")
    assert reponse.status_code == 400
    assert reponse.json() == {"enregistre": False, "message": "Non enregistré : Statut inconnu : « termine »."}
    assert not Positionnement.objects.exists()
    assert not NiveauDomaine.objects.exists()


@pytest.mark.parametrize("champ, valeur", [("item", "cuisine"), ("domaine", "formation")])
def test_un_item_inconnu_de_la_grille_est_refuse_en_400(college_a, chef_a, champ, valeur):
    item = items_de(college_a, "pilotage", 1)[0]
    reponse = _envoyer(client_de(chef_a), college_a, item, REALISE, **{champ: valeur})
    assert reponse.status_code == 400
    assert "rechargez la page" in reponse.json()["message"]
    assert not Positionnement.objects.exists()


def test_une_annee_passee_est_refusee_en_403(college_a, chef_a, annee_passee):
    item = items_de(college_a, "pilotage", 1)[0]
    reponse = _envoyer(client_de(chef_a), college_a, item, REALISE, annee=annee_passee.code)
    assert reponse.status_code == 403
    assert reponse.json() == {
        "enregistre": False,
        "message": f"La grille de {annee_passee} n'est plus modifiable : seule celle de l'année en cours l'est.",
    }
    assert not Positionnement.objects.exists()


def test_l_etablissement_d_un_autre_repond_404(college_a, chef_b):
    item = items_de(college_a, "pilotage", 1)[0]
    assert _envoyer(client_de(chef_b), college_a, item, REALISE).status_code == 404
    assert not Positionnement.objects.exists()


def test_les_roles_academiques_sont_refuses_en_403(college_a, dane_toulouse, correspondant_31):
    item = items_de(college_a, "pilotage", 1)[0]
    for personne in (dane_toulouse, correspondant_31):
        assert _envoyer(client_de(personne), college_a, item, REALISE).status_code == 403
    assert not Positionnement.objects.exists()


def test_seul_post_est_accepte(college_a, chef_a):
    assert client_de(chef_a).get(_url(college_a)).status_code == 405


def test_le_jeton_csrf_est_exige(college_a, chef_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chef_a)
    item = items_de(college_a, "pilotage", 1)[0]
    assert _envoyer(client, college_a, item, REALISE).status_code == 403
    assert not Positionnement.objects.exists()
    # Le jeton du formulaire de la page, comme l'envoie le script.
    page = client.get(reverse("maturite:grille")).content.decode()
    jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert _envoyer(client, college_a, item, REALISE, csrfmiddlewaretoken=jeton).status_code == 200
    assert Positionnement.objects.get().statut == REALISE


def test_la_page_charge_le_script_pour_l_annee_en_cours_seulement(college_a, chef_a, annee_passee):
    client = client_de(chef_a)
    contenu = client.get(reverse("maturite:grille")).content.decode()
    assert '<script src="/static/js/maturite.js" defer></script>' in contenu
    assert f'data-rupn-maturite="{_url(college_a)}"' in contenu
    assert 'id="etat-pilotage" aria-live="polite"' in contenu
    assert 'data-rupn-niveau="pilotage"' in contenu
    contenu = client.get(reverse("maturite:grille"), {"annee": annee_passee.code}).content.decode()
    assert "maturite.js" not in contenu and "data-rupn-maturite" not in contenu


def test_l_enregistrement_fait_un_nombre_borne_de_requetes(college_a, chef_a, django_assert_max_num_queries):
    client = client_de(chef_a)
    items = items_de(college_a, "pilotage", 1)
    _envoyer(client, college_a, items[0], REALISE)
    with django_assert_max_num_queries(28):
        assert _envoyer(client, college_a, items[1], REALISE).status_code == 200
