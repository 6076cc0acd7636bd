"""Niveaux dénormalisés (NiveauDomaine) : recalcul par `positionner` et en masse, distribution par domaine et par
territoire, périmètres et requêtes bornées."""

import random
from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.maturite.models import NiveauDomaine, Positionnement
from rupn.maturite.services import distribution, distribution_par_territoire, positionner, recalculer_niveaux
from rupn.territoires.models import Bassin, Departement, Etablissement
from tests.conftest import client_de
from tests.factories import EtablissementFactory, academie
from tests.maturite.aides import (
    EN_COURS,
    NON_REALISE,
    REALISE,
    direction_de,
    en_role,
    items_de,
    niveaux_a_la_main,
    planter,
    remplir,
)

CODES = [code for code, _, _ in DOMAINES]


def niveaux_enregistres(etablissement, annee):
    return dict(
        NiveauDomaine.objects.filter(etablissement=etablissement, annee=annee).values_list("domaine_code", "niveau")
    )


# Recalcul par positionner


def test_sans_item_renseigne_pas_de_niveau(college_a, annee):
    assert niveaux_enregistres(college_a, annee) == {}


def test_positionner_recalcule_les_cinq_domaines(college_a, chef_a, annee):
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE, 2: REALISE, 3: EN_COURS})
    remplir(college_a, annee, chef_a, "ressources", {1: REALISE})
    remplir(college_a, annee, chef_a, "formation", {1: EN_COURS})
    attendu = {"pilotage": 2, "pratiques": 0, "formation": 0, "ressources": 1, "infrastructure": 0}
    assert niveaux_enregistres(college_a, annee) == attendu == niveaux_a_la_main(college_a, annee)
    # Un item de niveau 1 qui n'est plus réalisé fait retomber le domaine à 0.
    item = items_de(college_a, "pilotage", 1)[0]
    positionner(etablissement=college_a, annee=annee, item=item, statut=NON_REALISE, par=en_role(chef_a))
    assert niveaux_enregistres(college_a, annee)["pilotage"] == 0


def test_positionner_ne_touche_que_l_etablissement_et_l_annee(
    college_a, college_b, chef_a, chef_b, annee, annee_passee
):
    remplir(college_b, annee, chef_b, "pilotage", {1: REALISE})
    remplir(college_a, annee_passee, chef_a, "pilotage", {1: REALISE, 2: REALISE})
    remplir(college_a, annee, chef_a, "pilotage", {1: EN_COURS})
    assert niveaux_enregistres(college_b, annee)["pilotage"] == 1
    assert niveaux_enregistres(college_a, annee_passee)["pilotage"] == 2
    assert niveaux_enregistres(college_a, annee)["pilotage"] == 0


@pytest.mark.parametrize("graine", [1, 2, 3])
def test_recalcul_en_masse_egal_au_calcul_a_la_main(college_a, college_herault, annee, graine):
    """Des positionnements tirés au hasard dans deux académies, écrits sans le service, puis recalculés."""
    aleatoire = random.Random(graine)
    statuts = [REALISE, REALISE, REALISE, EN_COURS, NON_REALISE]
    etablissements = [college_a, college_herault, *EtablissementFactory.create_batch(4)]
    for rang, etablissement in enumerate(etablissements):
        direction = direction_de(etablissement, rang)
        for item in items_de(etablissement):
            if aleatoire.random() < 0.9:
                Positionnement.objects.create(
                    etablissement=etablissement,
                    annee=annee,
                    item=item,
                    statut=aleatoire.choice(statuts),
                    modifie_par=direction,
                )
    recalculer_niveaux(Etablissement.objects.values_list("pk", flat=True), annee)
    for etablissement in etablissements:
        assert niveaux_enregistres(etablissement, annee) == niveaux_a_la_main(etablissement, annee)


def test_recalcul_en_masse_en_requetes_bornees(annee, django_assert_max_num_queries):
    def remplir_en_masse(nombre):
        etablissements = EtablissementFactory.create_batch(nombre)
        for rang, etablissement in enumerate(etablissements):
            planter(etablissement, annee, direction_de(etablissement, f"{nombre}-{rang}"), {("pilotage", 1): REALISE})
        return [etablissement.pk for etablissement in etablissements]

    recalculer_niveaux(remplir_en_masse(2), annee)  # la grille de l'académie existe désormais
    ids = remplir_en_masse(30)
    with django_assert_max_num_queries(6):
        recalculer_niveaux(ids, annee)
    assert NiveauDomaine.objects.filter(etablissement_id__in=ids, niveau=1, domaine_code="pilotage").count() == 30
    assert NiveauDomaine.objects.filter(etablissement_id__in=ids).count() == 30 * 5


def test_recalculer_efface_les_niveaux_d_un_etablissement_sans_positionnement(college_a, chef_a, annee):
    remplir(college_a, annee, chef_a, "pilotage", {1: REALISE})
    Positionnement.objects.filter(etablissement=college_a).delete()
    recalculer_niveaux([college_a.pk], annee)
    assert niveaux_enregistres(college_a, annee) == {}


# Distribution par domaine


def test_la_distribution_est_un_comptage_des_niveaux(academie_remplie, annee, django_assert_max_num_queries):
    toulouse = Etablissement.objects.filter(academie=academie("16"))
    attendu = Counter()
    remplis = 0
    for etablissement in toulouse:
        niveaux = niveaux_a_la_main(etablissement, annee)
        remplis += bool(niveaux)
        for code, niveau in niveaux.items():
            attendu[code, niveau] += 1
    with django_assert_max_num_queries(1):
        resultat = distribution(toulouse, annee)
    assert resultat["remplis"] == remplis == 4
    assert [ligne["code"] for ligne in resultat["domaines"]] == CODES
    obtenu = {(ligne["code"], n): nombre for ligne in resultat["domaines"] for n, nombre in enumerate(ligne["niveaux"])}
    assert {cle: nombre for cle, nombre in obtenu.items() if nombre} == dict(attendu)


def test_une_ligne_plantee_ailleurs_n_apparait_jamais(academie_remplie, annee, correspondant_31, dane_toulouse):
    """Un établissement de Montpellier au niveau 3 partout : ni la DANE de Toulouse ni le correspondant de la
    Haute-Garonne ne le comptent ; un du Tarn n'apparaît pas chez le correspondant."""
    herault = EtablissementFactory(departement=Departement.objects.get(code="034"))
    tarn = EtablissementFactory(departement=Departement.objects.get(code="081"))
    for etablissement in (herault, tarn):
        NiveauDomaine.objects.bulk_create(
            NiveauDomaine(etablissement=etablissement, annee=annee, domaine_code=code, niveau=3) for code in CODES
        )
    reponse = client_de(dane_toulouse).get(reverse("maturite:academie"))
    assert reponse.context["remplis"] == 5  # les quatre de la fixture, et le Tarn
    assert "Hérault" not in {ligne["nom"] for ligne in reponse.context["territoires"]}
    reponse = client_de(correspondant_31).get(reverse("maturite:academie"))
    assert reponse.context["remplis"] == 3
    assert next(ligne for ligne in reponse.context["domaines"] if ligne["code"] == "formation")["niveaux"][3] == 0
    assert [ligne["nom"] for ligne in reponse.context["territoires"]] == ["Haute-Garonne (031)"]


# Distribution par territoire


def _moyennes_a_la_main(etablissements, annee):
    """{territoire: (remplis, {domaine: moyenne})} recalculé établissement par établissement."""
    niveaux = defaultdict(list)
    for etablissement in etablissements:
        if calcules := niveaux_a_la_main(etablissement, annee):
            niveaux[etablissement.departement_id].append(calcules)
    return {
        territoire: (len(liste), {code: sum(n[code] for n in liste) / len(liste) for code in CODES})
        for territoire, liste in niveaux.items()
    }


def test_distribution_par_departement(academie_remplie, annee, dane_toulouse):
    EtablissementFactory(departement=Departement.objects.get(code="081"), ferme=True)  # fermé : pas compté
    EtablissementFactory(departement=Departement.objects.get(code="009"))  # n'a pas rempli la grille
    reponse = client_de(dane_toulouse).get(reverse("maturite:academie"))
    assert reponse.context["territoire"] == "departement"
    lignes = {ligne["nom"]: ligne for ligne in reponse.context["territoires"]}
    toulouse = Etablissement.objects.filter(academie=academie("16"))
    attendu = _moyennes_a_la_main(toulouse, annee)
    haute_garonne = Departement.objects.get(code="031")
    assert lignes["Haute-Garonne (031)"]["etablissements"] == toulouse.filter(departement=haute_garonne).count() == 3
    assert lignes["Tarn (081)"]["etablissements"] == 1
    for departement in Departement.objects.filter(pk__in=attendu):
        remplis, moyennes = attendu[departement.pk]
        ligne = lignes[str(departement)]
        assert ligne["remplis"] == remplis
        assert ligne["moyennes"] == pytest.approx([moyennes[code] for code in CODES])
    # Un département de l'académie où aucun établissement n'a rempli la grille : pas de moyenne.
    assert lignes["Ariège (009)"] == {"nom": "Ariège (009)", "etablissements": 1, "remplis": 0, "moyennes": [None] * 5}
    contenu = reponse.content.decode()
    assert "<caption>Établissements ayant rempli la grille et niveau moyen" in contenu
    assert '<th scope="row">Haute-Garonne (031)</th>' in contenu
    assert "<td>1,0</td><td>0,3</td>" in contenu  # moyennes à la française (Haute-Garonne)


def test_distribution_par_bassin_quand_un_departement_est_choisi(college_a, college_b, annee, dane_toulouse):
    bassin = Bassin.objects.create(code="16G999", libelle="Bassin du Lauragais", academie=academie("16"))
    Etablissement.objects.filter(pk=college_a.pk).update(bassin=bassin)
    remplir(college_a, annee, direction_de(college_a, 1), "pilotage", {1: REALISE, 2: REALISE})
    remplir(college_b, annee, direction_de(college_b, 2), "pilotage", {1: REALISE})
    departement = Departement.objects.get(code="031")
    reponse = client_de(dane_toulouse).get(reverse("maturite:academie"), {"departement": departement.pk})
    assert reponse.context["territoire"] == "bassin"
    lignes = {ligne["nom"]: ligne for ligne in reponse.context["territoires"]}
    assert set(lignes) == {"Bassin du Lauragais", "Sans bassin"}
    assert (lignes["Bassin du Lauragais"]["remplis"], lignes["Bassin du Lauragais"]["moyennes"][0]) == (1, 2)
    assert (lignes["Sans bassin"]["remplis"], lignes["Sans bassin"]["moyennes"][0]) == (1, 1)
    assert "Par bassin de formation" in reponse.content.decode()


def test_un_territoire_dont_seul_un_etablissement_ferme_a_rempli_figure(annee):
    ferme = EtablissementFactory(departement=Departement.objects.get(code="082"), ferme=True)
    NiveauDomaine.objects.bulk_create(
        NiveauDomaine(etablissement=ferme, annee=annee, domaine_code=code, niveau=1) for code in CODES
    )
    (ligne,) = distribution_par_territoire(Etablissement.objects.all(), annee, "departement")
    assert (ligne["nom"], ligne["etablissements"], ligne["remplis"]) == ("Tarn-et-Garonne (082)", 0, 1)


def test_la_page_academique_fait_un_nombre_borne_de_requetes(annee, dane_toulouse, django_assert_max_num_queries):
    """Le même nombre de requêtes pour 3 établissements remplis que pour 40, par département ou par bassin."""
    client = client_de(dane_toulouse)
    departement = Departement.objects.get(code="031")
    for nombre in (3, 37):
        for rang, etablissement in enumerate(EtablissementFactory.create_batch(nombre)):
            NiveauDomaine.objects.bulk_create(
                NiveauDomaine(etablissement=etablissement, annee=annee, domaine_code=code, niveau=rang % 4)
                for code in CODES
            )
        client.get(reverse("maturite:academie"))
        with django_assert_max_num_queries(10):
            assert client.get(reverse("maturite:academie")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("maturite:academie"), {"departement": departement.pk}).status_code == 200
    assert client.get(reverse("maturite:academie")).context["remplis"] == 40


def test_le_tableau_de_bord_peut_grouper_les_niveaux_par_axe(academie_remplie, annee):
    """La forme de lecture du tableau de bord du pilotage : values(<axe>, domaine_code, niveau) + Count."""
    from django.db.models import Count

    lignes = (
        NiveauDomaine.objects.filter(etablissement__in=Etablissement.objects.all(), annee=annee)
        .values("etablissement__departement__code", "domaine_code", "niveau")
        .annotate(nombre=Count("pk"))
    )
    comptes = {
        (ligne["etablissement__departement__code"], ligne["domaine_code"], ligne["niveau"]): ligne["nombre"]
        for ligne in lignes
    }
    assert comptes["081", "pilotage", 3] == 1
    assert comptes["031", "pilotage", 2] == 1
    assert comptes["034", "ressources", 1] == 1
