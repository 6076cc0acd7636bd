from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.maturite.models import Grille, Positionnement
from rupn.maturite.services import distribution, niveau_atteint, positionner, synthese
from rupn.territoires.models import Departement, Etablissement
from tests.conftest import client_de
from tests.factories import academie
from tests.maturite.aides import EN_COURS, NON_REALISE, REALISE, en_role, items_de, niveaux_a_la_main, remplir


def _ligne(lignes, code):
    return next(ligne for ligne in lignes if ligne["domaine"].code == code)


# Grille par défaut et versions


def test_la_grille_par_defaut_a_cinq_domaines_trois_niveaux_et_trois_a_quatre_items_par_niveau(college_a):
    grille = Grille.objects.courante(college_a.academie)
    assert grille.version == 1
    domaines = list(grille.domaines.all())
    assert [domaine.titre for domaine in domaines] == [
        "Pilotage, impulsion et organisation",
        "Pratiques éducatives et pédagogiques",
        "Formation",
        "Ressources",
        "Infrastructure réseau et équipement",
    ]
    for domaine in domaines:
        par_niveau = Counter(domaine.items.values_list("niveau", flat=True))
        assert set(par_niveau) == {1, 2, 3}
        assert all(3 <= nombre <= 4 for nombre in par_niveau.values()), domaine.code
    pilotage = {item.libelle: item.niveau for item in domaines[0].items.all()}
    assert pilotage["Le numérique est inscrit dans le projet d'établissement"] == 1
    assert pilotage["Une charte de savoir-vivre numérique est connue des élèves"] == 2
    assert pilotage["La commission numérique est élargie aux élèves et aux parents"] == 3
    codes = [code for _, _, items in DOMAINES for code, _, _ in items]
    assert len(codes) == len(set(codes))


def test_la_grille_courante_n_est_creee_qu_une_fois_par_academie(college_a, college_herault):
    grille = Grille.objects.courante(college_a.academie)
    assert Grille.objects.courante(college_a.academie) == grille
    assert Grille.objects.courante(college_herault.academie) != grille
    assert Grille.objects.count() == 2


def test_une_version_de_la_grille_ne_change_plus(college_a):
    grille = Grille.objects.courante(college_a.academie)
    grille.version = 2
    with pytest.raises(ValueError, match="ne change plus"):
        grille.save()
    suivante = Grille.objects.create(academie=college_a.academie, version=2)
    assert Grille.objects.courante(college_a.academie) == suivante


# Positionner


def test_positionner_enregistre_puis_met_a_jour_un_item(college_a, chef_a, rupn_a, annee):
    item = items_de(college_a, "pilotage", 1)[0]
    en_role(chef_a), en_role(rupn_a)
    positionner(etablissement=college_a, annee=annee, item=item, statut=EN_COURS, par=chef_a)
    positionner(etablissement=college_a, annee=annee, item=item, statut=REALISE, par=rupn_a)
    positionnement = Positionnement.objects.get()
    assert (positionnement.item, positionnement.statut, positionnement.modifie_par) == (item, REALISE, rupn_a)


def test_une_direction_d_un_autre_etablissement_ne_peut_pas_positionner(college_a, chef_b, dane_toulouse, annee):
    item = items_de(college_a, "pilotage", 1)[0]
    for personne in (chef_b, dane_toulouse):
        en_role(personne)
        with pytest.raises(Http404):
            positionner(etablissement=college_a, annee=annee, item=item, statut=REALISE, par=personne)
    assert not Positionnement.objects.exists()


def test_positionner_refuse_un_statut_inconnu_et_l_item_d_une_autre_academie(college_a, college_herault, chef_a, annee):
    item = items_de(college_a, "pilotage", 1)[0]
    en_role(chef_a)
    with pytest.raises(ValidationError):
        positionner(etablissement=college_a, annee=annee, item=item, statut="fini", par=chef_a)
    autre = items_de(college_herault, "pilotage", 1)[0]
    with pytest.raises(ValidationError):
        positionner(etablissement=college_a, annee=annee, item=autre, statut=REALISE, par=chef_a)
    assert not Positionnement.objects.exists()


# Règle du niveau atteint


@pytest.mark.parametrize(
    "realises, attendu",
    [
        ({}, 0),
        ({1: 3}, 1),
        ({1: 2}, 0),  # un item de niveau 1 manque
        ({1: 3, 2: 3}, 2),
        ({1: 3, 2: 2, 3: 3}, 1),  # niveau 3 complet mais pas le 2
        ({2: 3, 3: 3}, 0),  # rien ne vaut sans le niveau 1
        ({1: 3, 2: 3, 3: 3}, 3),
    ],
)
def test_regle_du_niveau_atteint(realises, attendu):
    assert niveau_atteint({1: 3, 2: 3, 3: 3}, realises) == attendu


def test_synthese_niveau_compteurs_et_evolution(college_a, chef_a, annee, annee_passee):
    remplir(college_a, annee_passee, chef_a, "pilotage", {1: REALISE, 2: EN_COURS})
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE, 2: REALISE, 3: EN_COURS})
    remplir(college_a, annee, chef_a, "formation", {1: EN_COURS})
    lignes = synthese(college_a, annee)
    pilotage = _ligne(lignes, "pilotage")
    nombre_1_2 = len(items_de(college_a, "pilotage", 1)) + len(items_de(college_a, "pilotage", 2))
    assert (pilotage["niveau"], pilotage["niveau_precedent"], pilotage["evolution"]) == (2, 1, 1)
    assert pilotage["realises"] == nombre_1_2
    assert pilotage["en_cours"] == len(items_de(college_a, "pilotage", 3))
    formation = _ligne(lignes, "formation")
    assert (formation["niveau"], formation["realises"], formation["niveau_precedent"], formation["evolution"]) == (
        0,
        0,
        None,
        None,
    )
    assert formation["en_cours"] == len(items_de(college_a, "formation", 1))


def test_synthese_regresse_quand_un_item_n_est_plus_realise(college_a, chef_a, annee, annee_passee):
    remplir(college_a, annee_passee, chef_a, "ressources", {1: REALISE})
    remplir(college_a, annee, chef_a, "ressources", {1: REALISE})
    item = items_de(college_a, "ressources", 1)[0]
    en_role(chef_a)
    positionner(etablissement=college_a, annee=annee, item=item, statut=NON_REALISE, par=chef_a)
    ressources = _ligne(synthese(college_a, annee), "ressources")
    assert (ressources["niveau"], ressources["niveau_precedent"], ressources["evolution"]) == (0, 1, -1)


# Page de la direction


def test_la_page_de_la_direction_montre_les_domaines_et_le_niveau(college_a, chef_a, annee):
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE})
    reponse = client_de(chef_a).get(reverse("maturite:grille"))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Pilotage, impulsion et organisation" in contenu
    assert "Enregistrer le domaine" in contenu
    assert "<script>" not in contenu
    assert _ligne(reponse.context["domaines"], "pilotage")["niveau"] == 1


def test_enregistrer_un_domaine_positionne_sesitems_de(college_a, rupn_a, annee):
    items = items_de(college_a, "infrastructure")
    donnees = {"domaine": "infrastructure", **{f"item-{item.code}": REALISE for item in items if item.niveau == 1}}
    donnees[f"item-{items[-1].code}"] = EN_COURS
    reponse = client_de(rupn_a).post(reverse("maturite:grille"), donnees, follow=True)
    assert reponse.status_code == 200
    attendus = sum(1 for item in items if item.niveau == 1) + 1
    assert f"{attendus} items mis à jour" in reponse.content.decode()
    assert Positionnement.objects.filter(etablissement=college_a, annee=annee).count() == attendus
    assert _ligne(synthese(college_a, annee), "infrastructure")["niveau"] == 1
    # Le même envoi ne change rien.
    reponse = client_de(rupn_a).post(reverse("maturite:grille"), donnees, follow=True)
    assert "aucun changement" in reponse.content.decode()


def test_un_statut_inconnu_est_refuse_avec_un_message(college_a, chef_a):
    items = items_de(college_a, "pilotage", 1)
    donnees = {"domaine": "pilotage", f"item-{items[0].code}": REALISE, f"item-{items[1].code}": "termine"}
    reponse = client_de(chef_a).post(reverse("maturite:grille"), donnees, follow=True)
    assert "Statut inconnu" in reponse.content.decode()
    assert not Positionnement.objects.exists()


def test_un_domaine_inconnu_repond_404(chef_a, college_a):
    assert client_de(chef_a).post(reverse("maturite:grille"), {"domaine": "cuisine"}).status_code == 404


def test_une_annee_passee_est_en_lecture_seule(college_a, chef_a, annee_passee):
    item = items_de(college_a, "pilotage", 1)[0]
    url = f"{reverse('maturite:grille')}?annee={annee_passee.code}"
    reponse = client_de(chef_a).post(url, {"domaine": "pilotage", f"item-{item.code}": REALISE}, follow=True)
    assert "plus modifiable" in reponse.content.decode()
    assert not Positionnement.objects.exists()


def test_la_page_de_la_direction_fait_peu_de_requetes(college_a, chef_a, annee, django_assert_max_num_queries):
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE, 2: REALISE})
    client = client_de(chef_a)
    client.get(reverse("maturite:grille"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("maturite:grille")).status_code == 200


# Page de la DANE


def _comptage_independant(etablissements, annee):
    """Niveau de chaque domaine recalculé item par item, sans le service de distribution."""
    comptes = Counter()
    for etablissement in etablissements:
        for domaine, niveau in niveaux_a_la_main(etablissement, annee).items():
            comptes[domaine, niveau] += 1
    return comptes


def _distribution(reponse):
    return {
        (ligne["code"], niveau): nombre
        for ligne in reponse.context["domaines"]
        for niveau, nombre in enumerate(ligne["niveaux"])
    }


def test_la_dane_voit_la_distribution_de_son_academie(academie_remplie, dane_toulouse, annee):
    reponse = client_de(dane_toulouse).get(reverse("maturite:academie"))
    assert reponse.status_code == 200
    toulouse = Etablissement.objects.filter(academie=academie("16"))
    attendu = _comptage_independant(toulouse, annee)
    obtenu = _distribution(reponse)
    assert {cle: nombre for cle, nombre in obtenu.items() if nombre} == dict(attendu)
    assert reponse.context["remplis"] == 4  # le collège de l'Hérault n'est jamais compté
    assert obtenu["pilotage", 3] == 1 and obtenu["pilotage", 2] == 1 and obtenu["pilotage", 1] == 1
    assert obtenu["ressources", 1] == 0


def test_les_filtres_departement_et_type(academie_remplie, dane_toulouse, annee):
    client = client_de(dane_toulouse)
    departement = Departement.objects.get(code="031")
    reponse = client.get(reverse("maturite:academie"), {"departement": departement.pk})
    assert reponse.context["remplis"] == 3
    reponse = client.get(reverse("maturite:academie"), {"type": "lycee"})
    assert reponse.context["remplis"] == 1
    assert _distribution(reponse)["pratiques", 1] == 1


def test_le_correspondant_ne_voit_que_ses_departements(academie_remplie, correspondant_31, annee):
    reponse = client_de(correspondant_31).get(reverse("maturite:academie"))
    assert reponse.context["remplis"] == 3
    attendu = _comptage_independant(Etablissement.objects.filter(departement__code="031"), annee)
    assert {cle: nombre for cle, nombre in _distribution(reponse).items() if nombre} == dict(attendu)


def test_le_national_voit_toutes_les_academies(academie_remplie, national):
    reponse = client_de(national).get(reverse("maturite:academie"))
    assert reponse.context["remplis"] == 5


def test_la_distribution_fait_un_nombre_borne_de_requetes(academie_remplie, annee, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        distribution(Etablissement.objects.all(), annee)


def test_la_page_de_la_dane_fait_peu_de_requetes(academie_remplie, dane_toulouse, django_assert_max_num_queries):
    client = client_de(dane_toulouse)
    client.get(reverse("maturite:academie"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("maturite:academie")).status_code == 200
