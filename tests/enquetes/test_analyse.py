"""Page d'analyse des réponses (enquetes/analyse.py, enquetes/vues/analyse.py) : nombre de requêtes borné à
grande échelle, chiffres vérifiés contre un calcul fait ici, filtres, périmètre, comparaison avec l'an
dernier, questions masquées, textes libres."""

import statistics
from collections import Counter

import pytest
from django.urls import reverse

from enquetes import analyse
from enquetes.models import Participation, Question, Reponse
from rupn.territoires.models import Departement
from tests.conftest import client_de
from tests.enquetes import jeu_analyse
from tests.enquetes.jeu_analyse import MASQUEE_AVEC_REPONSES, MASQUEE_SANS_REPONSE, SECRET_MONTPELLIER, TYPE_CHANGE
from tests.factories import DesignationFactory, EtablissementFactory

pytestmark = pytest.mark.django_db

BORNE = 15


@pytest.fixture
def grand_jeu():
    """900 participations envoyées × 40 questions (et 100 autres), l'enquête de l'an dernier, des lignes
    plantées à Montpellier."""
    return jeu_analyse.construire()


@pytest.fixture
def petit_jeu():
    return jeu_analyse.construire(envoyees=40, commencees=5, a_faire=5, etablissements=24, precedentes=12)


def url_analyse(jeu):
    return reverse("enquetes:enquete_analyse", args=[jeu.enquete.uuid])


def resultats(reponse):
    return {resultat.question.code: resultat for _, liste in reponse.context["analyse"].sections for resultat in liste}


def verifier_question(resultat, question, valeurs):
    """Les chiffres de la page pour une question, refaits ici à partir des valeurs écrites par le jeu."""
    assert resultat.repondants == len(valeurs), question.code
    barres = {barre.libelle: (barre.effectif, barre.pourcentage) for barre in resultat.barres}
    match question.type:
        case "choix_unique" | "choix_multiple":
            cochees = Counter(
                choix for valeur in valeurs for choix in (valeur if isinstance(valeur, list) else [valeur])
            )
            assert barres == {
                option: (cochees[option], pytest.approx(100 * cochees[option] / len(valeurs)))
                for option in question.options
            }, question.code
        case "echelle":
            notes = Counter(valeurs)
            assert barres == {
                f"{note} sur 5": (notes[note], pytest.approx(100 * notes[note] / len(valeurs))) for note in range(1, 6)
            }
            assert resultat.moyenne == pytest.approx(statistics.mean(valeurs))
        case "oui_non":
            oui = sum(1 for valeur in valeurs if valeur is True)
            assert barres == {
                "Oui": (oui, pytest.approx(100 * oui / len(valeurs))),
                "Non": (len(valeurs) - oui, pytest.approx(100 * (len(valeurs) - oui) / len(valeurs))),
            }
        case "nombre":
            nombres = resultat.nombres
            assert nombres.effectif == len(valeurs)
            assert nombres.somme == pytest.approx(sum(valeurs))
            assert nombres.moyenne == pytest.approx(statistics.mean(valeurs))
            assert nombres.mediane == pytest.approx(statistics.median(valeurs))
            assert (nombres.minimum, nombres.maximum) == (min(valeurs), max(valeurs))
        case _:
            assert resultat.barres == [] and resultat.nombres is None


def test_grande_enquete_en_requetes_bornees(grand_jeu, dane_toulouse, django_assert_max_num_queries):
    client = client_de(dane_toulouse)
    with django_assert_max_num_queries(BORNE):
        reponse = client.get(url_analyse(grand_jeu))
    assert reponse.status_code == 200
    # Filtré, et la liste complète des textes d'une question : bornés aussi.
    with django_assert_max_num_queries(BORNE):
        reponse = client.get(url_analyse(grand_jeu), {"departement": "031", "type": "college", "secteur": "public"})
    assert reponse.status_code == 200
    with django_assert_max_num_queries(BORNE):
        reponse = client.get(url_analyse(grand_jeu), {"textes": "bilan_annee", "page": 3})
    assert reponse.status_code == 200


def test_chiffres_contre_un_calcul_independant(grand_jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_analyse(grand_jeu))
    page = reponse.context["analyse"]

    # Taux de réponse : 900 envoyées sur 1 000 ; la participation plantée à Montpellier ne compte pas.
    assert (page.taux.ensemble.envoyees, page.taux.ensemble.participations) == (900, 1000)
    par_departement = Counter(p.etablissement.departement.code for p in grand_jeu.participations)
    envoyees_par_departement = Counter(p.etablissement.departement.code for p in grand_jeu.envoyees)
    departements = page.taux.tableaux[0]
    assert [(t.libelle[:3], t.participations, t.envoyees) for t in departements.lignes] == [
        (code, par_departement[code], envoyees_par_departement[code]) for code in sorted(par_departement)
    ]
    types = {t.libelle: (t.participations, t.envoyees) for t in page.taux.tableaux[2].lignes}
    assert types["Collège"] == (
        sum(1 for p in grand_jeu.participations if p.etablissement.type == "college"),
        sum(1 for p in grand_jeu.envoyees if p.etablissement.type == "college"),
    )
    sans_bassin = page.taux.tableaux[1].lignes[-1]
    assert sans_bassin.libelle == "Sans bassin"
    assert sans_bassin.participations == sum(1 for p in grand_jeu.participations if p.etablissement.bassin_id is None)

    # Chaque question : les réponses des seules participations envoyées (pas des commencées).
    par_code = resultats(reponse)
    assert MASQUEE_SANS_REPONSE not in par_code
    assert len(par_code) == 39
    for code, question in grand_jeu.questions.items():
        if code != MASQUEE_SANS_REPONSE:
            verifier_question(par_code[code], question, grand_jeu.reponses(code))

    # Textes libres : les 5 derniers envoyés, puis un lien vers la liste complète.
    bilan = par_code["bilan_annee"]
    recentes = sorted(grand_jeu.envoyees, key=lambda p: p.soumise_le, reverse=True)
    attendus = [
        grand_jeu.valeurs[(p.pk, "bilan_annee")]
        for p in recentes
        if grand_jeu.valeurs.get((p.pk, "bilan_annee")) not in (None, jeu_analyse.ABSENTE)
    ]
    assert [texte.texte for texte in bilan.textes] == attendus[: analyse.TEXTES_APERCU]
    contenu = reponse.content.decode()
    assert f"Lire les {len(attendus)} réponses en entier" in contenu
    assert SECRET_MONTPELLIER not in contenu
    assert "99 999" not in contenu and "99999" not in contenu


def test_les_filtres_s_appliquent_aux_taux_aux_resultats_et_a_l_an_dernier(grand_jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_analyse(grand_jeu), {"departement": "031", "type": "college"})
    page = reponse.context["analyse"]

    def garder(etablissement):
        return etablissement.departement.code == "031" and etablissement.type == "college"

    assert page.taux.ensemble.participations == sum(1 for p in grand_jeu.participations if garder(p.etablissement))
    assert page.taux.ensemble.envoyees == sum(1 for p in grand_jeu.envoyees if garder(p.etablissement))
    assert [t.libelle for t in page.taux.tableaux[0].lignes] == ["031 — Haute-Garonne"]
    par_code = resultats(reponse)
    for code in ("poursuite_mission", "anciennete_rupn", "canaux_information", "usage_tablettes"):
        verifier_question(par_code[code], grand_jeu.questions[code], grand_jeu.reponses(code, garder))
    avant = grand_jeu.reponses("lettre_de_mission", garder, precedente=True)
    ligne = par_code["lettre_de_mission"].comparaison.lignes[0]
    assert ligne.precedent == pytest.approx(100 * avant.count(True) / len(avant))


def test_comparaison_avec_l_an_dernier_par_code(grand_jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_analyse(grand_jeu))
    page = reponse.context["analyse"]
    assert page.precedente == grand_jeu.precedente
    assert (page.taux_precedent.envoyees, page.taux_precedent.participations) == (80, 90)
    par_code = resultats(reponse)

    # Choix unique : la part de chaque choix, cette année et l'an dernier, et l'écart en points.
    question = grand_jeu.questions["poursuite_mission"]
    maintenant, avant = grand_jeu.reponses(question.code), grand_jeu.reponses(question.code, precedente=True)
    comparaison = par_code[question.code].comparaison
    assert (comparaison.repondants, comparaison.repondants_avant) == (len(maintenant), len(avant))
    for ligne, option in zip(comparaison.lignes, question.options, strict=True):
        assert ligne.libelle == option
        assert ligne.actuel == pytest.approx(100 * maintenant.count(option) / len(maintenant))
        assert ligne.precedent == pytest.approx(100 * avant.count(option) / len(avant))
        assert ligne.ecart == pytest.approx(ligne.actuel - ligne.precedent)

    # Échelle : la moyenne ; nombre : moyenne et médiane.
    echelle = par_code["information_suffisante"].comparaison.lignes
    assert [ligne.libelle for ligne in echelle] == ["Moyenne (sur 5)"]
    assert echelle[0].precedent == pytest.approx(
        statistics.mean(grand_jeu.reponses("information_suffisante", precedente=True))
    )
    nombre = par_code["anciennete_rupn"].comparaison.lignes
    assert nombre[1].precedent == pytest.approx(
        statistics.median(grand_jeu.reponses("anciennete_rupn", precedente=True))
    )

    # Un code d'un autre type l'an dernier, une question nouvelle : pas de chiffres, une explication.
    assert par_code[TYPE_CHANGE].comparaison.lignes == []
    assert "autre type" in par_code[TYPE_CHANGE].comparaison.raison
    assert "Aucune réponse" in par_code["outils_collaboratifs"].comparaison.raison
    contenu = reponse.content.decode()
    assert "Comparaison avec l'enquête" in contenu and str(grand_jeu.precedente.annee) in contenu


def test_questions_masquees(petit_jeu, dane_toulouse):
    reponse = client_de(dane_toulouse).get(url_analyse(petit_jeu))
    par_code = resultats(reponse)
    assert MASQUEE_SANS_REPONSE not in par_code
    assert par_code[MASQUEE_AVEC_REPONSES].question.masquee
    contenu = reponse.content.decode()
    assert "Masquée" in contenu and "Cette question n'est plus posée : ses réponses restent." in contenu
    assert petit_jeu.questions[MASQUEE_SANS_REPONSE].libelle not in contenu


def test_le_correspondant_ne_voit_que_son_departement(petit_jeu, correspondant_31):
    """Les chiffres du département 031 seulement, ses seuls choix de filtre ; un autre département demandé ne
    montre rien."""
    tarn = next(p for p in petit_jeu.envoyees if p.etablissement.departement.code == "081")
    Reponse.objects.filter(participation=tarn, question=petit_jeu.questions["bilan_annee"]).delete()
    Reponse.objects.create(participation=tarn, question=petit_jeu.questions["bilan_annee"], valeur="SECRET-TARN")
    client = client_de(correspondant_31)

    reponse = client.get(url_analyse(petit_jeu))
    assert reponse.status_code == 200
    page = reponse.context["analyse"]

    def garder(etablissement):
        return etablissement.departement.code == "031"

    assert page.taux.ensemble.participations == sum(1 for p in petit_jeu.participations if garder(p.etablissement))
    assert page.taux.ensemble.envoyees == sum(1 for p in petit_jeu.envoyees if garder(p.etablissement))
    assert [t.libelle for t in page.taux.tableaux[0].lignes] == ["031 — Haute-Garonne"]
    assert [code for code, _ in reponse.context["form"].fields["departement"].choices] == ["", "031"]
    par_code = resultats(reponse)
    for code in ("poursuite_mission", "anciennete_rupn", "bilan_annee"):
        verifier_question(par_code[code], petit_jeu.questions[code], petit_jeu.reponses(code, garder))
    assert par_code["poursuite_mission"].comparaison.repondants_avant == len(
        petit_jeu.reponses("poursuite_mission", garder, precedente=True)
    )
    contenu = reponse.content.decode()
    assert "SECRET-TARN" not in contenu and SECRET_MONTPELLIER not in contenu

    textes = client.get(url_analyse(petit_jeu), {"textes": "bilan_annee"})
    assert textes.context["page"].paginator.count == len(petit_jeu.reponses("bilan_annee", garder))
    assert "SECRET-TARN" not in textes.content.decode()

    ailleurs = client.get(url_analyse(petit_jeu), {"departement": "081"})
    assert ailleurs.context["analyse"].taux.ensemble.participations == 0
    assert "SECRET-TARN" not in ailleurs.content.decode()
    assert resultats(ailleurs)["bilan_annee"].repondants == 0


def test_la_dane_ne_voit_pas_une_autre_academie(petit_jeu, dane_toulouse, dane_montpellier):
    client = client_de(dane_toulouse)
    reponse = client.get(url_analyse(petit_jeu), {"departement": "034"})
    assert reponse.context["analyse"].taux.ensemble.participations == 0  # choix refusé : rien plutôt que trop
    assert SECRET_MONTPELLIER not in reponse.content.decode()
    textes = client.get(url_analyse(petit_jeu), {"textes": "bilan_annee"})
    assert SECRET_MONTPELLIER not in textes.content.decode()
    assert textes.context["page"].paginator.count == len(petit_jeu.reponses("bilan_annee"))
    assert client_de(dane_montpellier).get(url_analyse(petit_jeu)).status_code == 404


def test_le_national_lit_l_analyse(petit_jeu, national):
    reponse = client_de(national).get(url_analyse(petit_jeu))
    assert reponse.status_code == 200
    # L'enquête de Toulouse : la participation plantée à Montpellier y est, le national voit tout.
    assert reponse.context["analyse"].taux.ensemble.envoyees == len(petit_jeu.envoyees) + 1
    assert "Lecture nationale" in reponse.content.decode()


def test_textes_libres_page_par_page(grand_jeu, dane_toulouse):
    client = client_de(dane_toulouse)
    attendus = grand_jeu.reponses("bilan_annee")
    reponse = client.get(url_analyse(grand_jeu), {"textes": "bilan_annee", "departement": ""})
    page = reponse.context["page"]
    assert page.paginator.count == len(attendus) > 50
    assert len(page.object_list) == 50
    derniere = client.get(url_analyse(grand_jeu), {"textes": "bilan_annee", "page": page.paginator.num_pages})
    assert derniere.context["page"].number == page.paginator.num_pages
    textes = {texte for page_ in (page, derniere.context["page"]) for texte, _ in page_.object_list}
    assert textes <= set(attendus)
    contenu = reponse.content.decode()
    assert "Retour à l'analyse" in contenu and "page=2" in contenu

    for code in ("inconnu", "poursuite_mission"):  # code absent, question qui n'est pas un texte
        assert client.get(url_analyse(grand_jeu), {"textes": code}).status_code == 404


def test_enquete_sans_participation(enquete_toulouse, dane_toulouse):
    reponse = client_de(dane_toulouse).get(reverse("enquetes:enquete_analyse", args=[enquete_toulouse.uuid]))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "<strong>0</strong> participation envoyée sur 0." in contenu
    assert "Pas d'enquête d'une année précédente" in contenu
    assert len(resultats(reponse)) == 37


def test_une_valeur_inattendue_est_ignoree(enquete_ouverte, dane_toulouse, college_a):
    """Une valeur d'un autre type que la question (données anciennes, import) ne fausse pas les calculs."""
    designation = DesignationFactory(etablissement=college_a, annee=enquete_ouverte.annee, acceptee=True)
    participation = Participation.objects.create(enquete=enquete_ouverte, designation=designation, statut="soumise")
    questions = {q.code: q for q in Question.objects.filter(enquete=enquete_ouverte)}
    Reponse.objects.bulk_create(
        [
            Reponse(participation=participation, question=questions["anciennete_rupn"], valeur="beaucoup"),
            Reponse(participation=participation, question=questions["information_suffisante"], valeur=9),
            Reponse(participation=participation, question=questions["lettre_de_mission"], valeur="peut-être"),
            Reponse(participation=participation, question=questions["temps_hebdomadaire"], valeur=3),
        ]
    )
    autre = DesignationFactory(
        etablissement=EtablissementFactory(departement=Departement.objects.get(code="031")),
        annee=enquete_ouverte.annee,
        acceptee=True,
    )
    Reponse.objects.create(
        participation=Participation.objects.create(enquete=enquete_ouverte, designation=autre, statut="soumise"),
        question=questions["temps_hebdomadaire"],
        valeur=4.5,
    )
    reponse = client_de(dane_toulouse).get(reverse("enquetes:enquete_analyse", args=[enquete_ouverte.uuid]))
    par_code = resultats(reponse)
    assert par_code["anciennete_rupn"].repondants == 0
    assert par_code["information_suffisante"].repondants == 0
    assert par_code["lettre_de_mission"].repondants == 0
    assert par_code["temps_hebdomadaire"].nombres.mediane == pytest.approx(3.75)


def test_statistiques():
    assert analyse.statistiques(Counter()) is None
    nombres = analyse.statistiques(Counter({1: 1, 3: 2, 10: 1}))
    assert (nombres.effectif, nombres.somme, nombres.mediane, nombres.minimum, nombres.maximum) == (4, 17, 3, 1, 10)
    assert analyse.statistiques(Counter({2: 1, 5.5: 1})).mediane == 3.75
    assert analyse.statistiques(Counter({7: 3})).mediane == 7
