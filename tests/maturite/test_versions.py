"""Nouvelle version de la grille par la DANE : page, service, relecture des positionnements par code."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rupn.maturite.models import Grille, Item, NiveauDomaine, Positionnement
from rupn.maturite.services import positionner, synthese
from rupn.maturite.versions import contenu_de, grille_enregistrer
from rupn.territoires.models import Academie
from tests.conftest import client_de
from tests.factories import academie
from tests.maturite.aides import REALISE, en_role, items_de, remplir

URL = "maturite:grille_modifier"


@pytest.fixture
def toulouse(db):
    return academie("16")


def _donnees(grille, **changements):
    """L'envoi du formulaire tel qu'affiché (rien ne change), puis les `changements` (nom du champ → valeur)."""
    donnees = {"depuis": grille.version, "commentaire": ""}
    for domaine in grille.domaines.prefetch_related("items"):
        for item in domaine.items.all():
            donnees[f"libelle__{domaine.code}__{item.code}"] = item.libelle
    donnees.update(changements)
    return donnees


def _libelles(grille):
    return {item.code: item.libelle for item in Item.objects.filter(domaine__grille=grille)}


def items_de_grille(grille, domaine, niveau):
    return list(Item.objects.filter(domaine__grille=grille, domaine__code=domaine, niveau=niveau))


def test_la_dane_enregistre_la_version_suivante(toulouse, dane_toulouse):
    v1 = Grille.objects.courante(toulouse)
    avant = _libelles(v1)
    donnees = _donnees(
        v1,
        **{
            "libelle__pilotage__pilotage-projet": "Le numérique figure dans le projet d'établissement et son bilan",
            "retirer__formation__formation-parents": "on",
            "libelle__formation__formation-parents": "",  # sans importance : l'item est retiré
            "nouveau__pratiques__1__code": "pratiques-ia",
            "nouveau__pratiques__1__niveau": "2",
            "nouveau__pratiques__1__libelle": "Les usages de l'intelligence artificielle sont encadrés",
            "commentaire": "Ajout de l'IA",
        },
    )
    reponse = client_de(dane_toulouse).post(reverse(URL), donnees, follow=True)
    assert reponse.status_code == 200
    assert "Version 2 de la grille enregistrée" in reponse.content.decode()
    v2 = Grille.objects.courante(toulouse)
    assert (v2.version, v2.cree_par, v2.commentaire) == (2, dane_toulouse, "Ajout de l'IA")
    apres = _libelles(v2)
    assert apres["pilotage-projet"] == "Le numérique figure dans le projet d'établissement et son bilan"
    assert "formation-parents" not in apres
    assert Item.objects.get(domaine__grille=v2, code="pratiques-ia").niveau == 2
    assert set(apres) == set(avant) - {"formation-parents"} | {"pratiques-ia"}
    # La version 1 n'a pas changé.
    assert _libelles(v1) == avant
    # L'historique liste les deux versions.
    reponse = client_de(dane_toulouse).get(reverse(URL))
    assert [version.version for version in reponse.context["versions"]] == [2, 1]


def test_un_envoi_sans_changement_ne_cree_pas_de_version(toulouse, dane_toulouse):
    grille = Grille.objects.courante(toulouse)
    reponse = client_de(dane_toulouse).post(reverse(URL), _donnees(grille), follow=True)
    assert "La grille n'a pas changé" in html.unescape(reponse.content.decode())
    assert Grille.objects.filter(academie=toulouse).count() == 1


@pytest.mark.parametrize(
    "changements, champ, message",
    [
        ({"libelle__pilotage__pilotage-projet": ""}, "libelle__pilotage__pilotage-projet", "Indiquez le libellé"),
        (
            {"nouveau__ressources__1__code": "Ressources IA", "nouveau__ressources__1__niveau": "1"},
            "nouveau__ressources__1__code",
            "invalide",
        ),
        (
            {"nouveau__ressources__2__code": "pilotage-charte", "nouveau__ressources__2__niveau": "1"},
            "nouveau__ressources__2__code",
            "déjà celui d'un item",
        ),
        ({"nouveau__formation__3__libelle": "Sans code ni niveau"}, "nouveau__formation__3__niveau", "Choisissez"),
        (
            {"nouveau__formation__1__niveau": "4", "nouveau__formation__1__code": "x"},
            "nouveau__formation__1__niveau",
            "",
        ),
    ],
)
def test_les_erreurs_sont_signalees_au_champ(toulouse, dane_toulouse, changements, champ, message):
    grille = Grille.objects.courante(toulouse)
    reponse = client_de(dane_toulouse).post(reverse(URL), _donnees(grille, **changements))
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert champ in erreurs and message in " ".join(erreurs[champ])
    assert "La grille n'est pas enregistrée" in reponse.content.decode()
    assert Grille.objects.filter(academie=toulouse).count() == 1


def test_un_niveau_vide_dans_un_domaine_est_refuse(toulouse, dane_toulouse):
    grille = Grille.objects.courante(toulouse)
    retraits = {f"retirer__infrastructure__{item.code}": "on" for item in items_de_grille(grille, "infrastructure", 3)}
    reponse = client_de(dane_toulouse).post(reverse(URL), _donnees(grille, **retraits))
    assert reponse.status_code == 400
    (erreur,) = reponse.context["form"].non_field_errors()
    assert "« infrastructure » n'a plus d'item de niveau 3" in erreur
    assert Grille.objects.filter(academie=toulouse).count() == 1
    assert (
        Item.objects.filter(domaine__grille__academie=toulouse).count()
        == Item.objects.filter(domaine__grille=grille).count()
    )


def test_une_version_enregistree_entre_temps_bloque_l_envoi(toulouse, dane_toulouse):
    grille = Grille.objects.courante(toulouse)
    donnees = _donnees(grille, **{"libelle__pilotage__pilotage-projet": "Nouveau libellé"})
    contenu = contenu_de(grille)
    contenu[0]["items"][0] = (contenu[0]["items"][0][0], 1, "Un collègue est passé avant")
    grille_enregistrer(academie=toulouse, contenu=contenu, par=dane_toulouse)
    reponse = client_de(dane_toulouse).post(reverse(URL), donnees)
    assert reponse.status_code == 400
    assert "pendant que vous modifiiez la version 1" in html.unescape(reponse.content.decode())
    assert Grille.objects.filter(academie=toulouse).count() == 2


def test_le_service_refuse_un_changement_de_niveau_et_les_domaines_modifies(toulouse, dane_toulouse):
    contenu = contenu_de(Grille.objects.courante(toulouse))
    code, _, libelle = contenu[0]["items"][0]
    change = [{**contenu[0], "items": [(code, 2, libelle), *contenu[0]["items"][1:]]}, *contenu[1:]]
    with pytest.raises(ValidationError, match="garde son niveau"):
        grille_enregistrer(academie=toulouse, contenu=change, par=dane_toulouse)
    with pytest.raises(ValidationError, match="cinq domaines"):
        grille_enregistrer(academie=toulouse, contenu=contenu[1:], par=dane_toulouse)
    assert Grille.objects.filter(academie=toulouse).count() == 1


def test_la_grille_de_montpellier_ne_bouge_pas(toulouse, dane_toulouse):
    montpellier = Grille.objects.courante(Academie.objects.get(code="11"))
    grille = Grille.objects.courante(toulouse)
    client_de(dane_toulouse).post(reverse(URL), _donnees(grille, **{"retirer__pilotage__pilotage-charte": "on"}))
    assert Grille.objects.courante(Academie.objects.get(code="11")) == montpellier


# Les positionnements d'une version à l'autre


def test_un_item_garde_garde_son_historique_et_les_niveaux_sont_recalcules(
    college_a, chef_a, annee, annee_passee, dane_toulouse
):
    remplir(college_a, annee_passee, chef_a, "pilotage", {1: REALISE, 2: REALISE})
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE, 2: REALISE})
    assert NiveauDomaine.objects.get(etablissement=college_a, annee=annee, domaine_code="pilotage").niveau == 2
    v1 = Grille.objects.courante(college_a.academie)
    # Un item de niveau 1 ajouté : personne ne l'a réalisé, le pilotage retombe à 0 cette année.
    nouveau = {
        "nouveau__pilotage__1__code": "pilotage-ia",
        "nouveau__pilotage__1__niveau": "1",
        "nouveau__pilotage__1__libelle": "Une charte d'usage de l'IA est adoptée",
    }
    client_de(dane_toulouse).post(reverse(URL), _donnees(v1, **nouveau))
    v2 = Grille.objects.courante(college_a.academie)
    assert v2.version == 2
    assert NiveauDomaine.objects.get(etablissement=college_a, annee=annee, domaine_code="pilotage").niveau == 0
    # L'année passée garde le niveau de sa grille d'alors.
    assert NiveauDomaine.objects.get(etablissement=college_a, annee=annee_passee, domaine_code="pilotage").niveau == 2
    # La synthèse relit les positionnements de la version 1 par code.
    pilotage = next(ligne for ligne in synthese(college_a, annee) if ligne["domaine"].code == "pilotage")
    assert pilotage["realises"] == len(items_de_grille(v1, "pilotage", 1)) + len(items_de_grille(v1, "pilotage", 2))
    assert (pilotage["niveau"], pilotage["niveau_precedent"]) == (0, 0)
    # Réaliser le nouvel item rend le niveau 2.
    en_role(chef_a)
    item = Item.objects.get(domaine__grille=v2, code="pilotage-ia")
    positionner(etablissement=college_a, annee=annee, item=item, statut=REALISE, par=chef_a)
    assert NiveauDomaine.objects.get(etablissement=college_a, annee=annee, domaine_code="pilotage").niveau == 2
    # Un item gardé, repositionné avec la version 2, n'a toujours qu'un statut dans l'année.
    garde = items_de(college_a, "pilotage", 1)[0]
    assert garde.domaine.grille == v2
    positionner(etablissement=college_a, annee=annee, item=garde, statut=REALISE, par=chef_a)
    lignes = Positionnement.objects.filter(etablissement=college_a, annee=annee, item__code=garde.code)
    assert [ligne.item.domaine.grille_id for ligne in lignes] == [v2.pk]
    # Un item de la version 1 n'est plus accepté.
    ancien = Item.objects.get(domaine__grille=v1, code=garde.code)
    with pytest.raises(ValidationError, match="grille en vigueur"):
        positionner(etablissement=college_a, annee=annee, item=ancien, statut=REALISE, par=chef_a)


def test_un_item_retire_ne_compte_plus(college_a, chef_a, annee, dane_toulouse):
    remplir(college_a, annee, chef_a, "pratiques", {1: REALISE, 2: REALISE})
    v1 = Grille.objects.courante(college_a.academie)
    troisieme = items_de_grille(v1, "pratiques", 3)
    # Tous les items de niveau 3 réalisés sauf un, que la DANE retire.
    en_role(chef_a)
    for item in troisieme[1:]:
        positionner(etablissement=college_a, annee=annee, item=item, statut=REALISE, par=chef_a)
    assert NiveauDomaine.objects.get(etablissement=college_a, annee=annee, domaine_code="pratiques").niveau == 2
    client_de(dane_toulouse).post(reverse(URL), _donnees(v1, **{f"retirer__pratiques__{troisieme[0].code}": "on"}))
    assert NiveauDomaine.objects.get(etablissement=college_a, annee=annee, domaine_code="pratiques").niveau == 3
    reponse = client_de(chef_a).get(reverse("maturite:grille"))
    assert reponse.status_code == 200
    assert troisieme[0].libelle not in reponse.content.decode()


# Lecture d'une version


def test_une_version_se_lit_avec_ses_changements(toulouse, dane_toulouse):
    v1 = Grille.objects.courante(toulouse)
    changements = {
        "libelle__pilotage__pilotage-projet": "Libellé revu",
        "retirer__formation__formation-parents": "on",
        "nouveau__pratiques__1__code": "pratiques-ia",
        "nouveau__pratiques__1__niveau": "3",
        "nouveau__pratiques__1__libelle": "L'IA est encadrée",
    }
    client = client_de(dane_toulouse)
    client.post(reverse(URL), _donnees(v1, **changements))
    reponse = client.get(reverse("maturite:grille_version", args=[2]))
    assert reponse.status_code == 200
    assert reponse.context["est_courante"] is True
    changes = {item.code: item.changement for domaine in reponse.context["domaines"] for item in domaine.items_lus}
    assert changes["pilotage-projet"] == "Libellé modifié"
    assert changes["pratiques-ia"] == "Ajouté"
    assert changes["pilotage-rupn"] == ""
    assert [cle[1] for cle, _ in reponse.context["retires"]] == ["formation-parents"]
    reponse = client.get(reverse("maturite:grille_version", args=[1]))
    assert reponse.context["est_courante"] is False
    assert "Remplacée par une version plus récente" in reponse.content.decode()
    assert "Une commission numérique se réunit" in reponse.content.decode()
    assert client.get(reverse("maturite:grille_version", args=[3])).status_code == 404


def test_la_dane_d_une_autre_academie_ne_lit_que_sa_grille(toulouse, dane_toulouse, dane_montpellier):
    v1 = Grille.objects.courante(toulouse)
    client_de(dane_toulouse).post(reverse(URL), _donnees(v1, **{"libelle__pilotage__pilotage-projet": "Toulouse"}))
    assert client_de(dane_montpellier).get(reverse("maturite:grille_version", args=[2])).status_code == 404
    reponse = client_de(dane_montpellier).get(reverse(URL))
    assert reponse.context["courante"].academie.code == "11"


def test_la_page_de_modification_fait_peu_de_requetes(toulouse, dane_toulouse, django_assert_max_num_queries):
    client = client_de(dane_toulouse)
    client.get(reverse(URL))
    with django_assert_max_num_queries(15):
        assert client.get(reverse(URL)).status_code == 200
