"""Couverture des établissements par un RUPN : qui compte comme couvert, périmètre, filtres, requêtes."""

import pytest
from django.urls import reverse

from missions.models import Designation, RelanceCouverture
from rupn.territoires.models import Bassin, Departement
from tests.conftest import client_de
from tests.factories import DesignationFactory, EtablissementFactory, academie, annee

pytestmark = pytest.mark.django_db

ANNEE = "2025-2026"
COUVERTURE = reverse("missions:couverture")


def couverture(utilisateur, **parametres):
    reponse = client_de(utilisateur).get(COUVERTURE, {"annee": ANNEE, **parametres})
    assert reponse.status_code == 200
    return reponse


def sans_rupn(reponse):
    return {etablissement.nom for etablissement in reponse.context["page"]}


@pytest.fixture
def jeu(college_a, college_b, college_tarn, college_herault):
    """Collège A : une proposition seulement ; B : un refus ; Tarn : une acceptation ; le lycée :
    une désignation validée ; un collège terminé ; un collège fermé ; deux sans rien."""
    bassin = Bassin.objects.create(code="16999", libelle="Bassin test", academie=academie("16"))
    jeu = {
        "lycee": EtablissementFactory(lycee=True, prive=True, nom="Lycée Saint-Exupéry", bassin=bassin),
        "termine": EtablissementFactory(nom="Collège terminé"),
        "ferme": EtablissementFactory(ferme=True, nom="Collège fermé"),
        "vide": EtablissementFactory(nom="Collège sans personne", bassin=bassin),
        "bassin": bassin,
    }
    DesignationFactory(etablissement=college_a)
    DesignationFactory(etablissement=college_a, allegement=True)
    DesignationFactory(etablissement=college_b, refusee=True)
    DesignationFactory(etablissement=college_b, statut=Designation.Statut.ANNULEE)
    DesignationFactory(etablissement=college_tarn, acceptee=True)
    DesignationFactory(etablissement=jeu["lycee"], validee=True)
    DesignationFactory(etablissement=jeu["termine"], statut=Designation.Statut.TERMINEE)
    DesignationFactory(etablissement=college_herault, acceptee=True)
    # Une désignation acceptée d'une autre année ne couvre pas 2025-2026.
    DesignationFactory(etablissement=jeu["vide"], annee=annee("2024-2025"), validee=True)
    return jeu


def test_seule_une_designation_acceptee_couvre_un_etablissement(dane_toulouse, jeu):
    reponse = couverture(dane_toulouse)
    # Proposée, refusée, annulée, ou acceptée une autre année : sans RUPN. Le collège fermé n'apparaît pas.
    assert sans_rupn(reponse) == {"Collège A", "Collège B", "Collège sans personne"}
    contexte = reponse.context
    assert (contexte["total"], contexte["couverts"], contexte["nb_sans_rupn"]) == (6, 3, 3)
    assert contexte["taux_couverture"] == 50
    contenu = reponse.content.decode()
    assert "50,0 %" in contenu
    assert "Collège fermé" not in contenu


def test_une_autre_annee_a_sa_propre_couverture(dane_toulouse, jeu):
    reponse = couverture(dane_toulouse, annee="2024-2025")
    assert "Collège sans personne" not in sans_rupn(reponse)
    assert reponse.context["couverts"] == 1


def test_propositions_en_attente_et_derniere_relance(dane_toulouse, jeu, college_a):
    RelanceCouverture.objects.create(etablissement=college_a, annee=annee(ANNEE), par=dane_toulouse)
    reponse = couverture(dane_toulouse)
    lignes = {etablissement.nom: etablissement for etablissement in reponse.context["page"]}
    assert lignes["Collège A"].nb_proposees == 2
    assert lignes["Collège A"].derniere_relance is not None
    assert lignes["Collège B"].nb_proposees == 0
    assert lignes["Collège B"].derniere_relance is None
    contenu = reponse.content.decode()
    assert "2 proposées" in contenu and "jamais" in contenu


def test_la_dane_de_montpellier_ne_voit_pas_toulouse(dane_montpellier, jeu, college_herault):
    EtablissementFactory(nom="Autre collège de l'Hérault", departement=Departement.objects.get(code="034"))
    reponse = couverture(dane_montpellier)
    assert sans_rupn(reponse) == {"Autre collège de l'Hérault"}
    assert (reponse.context["total"], reponse.context["couverts"]) == (2, 1)


def test_le_correspondant_est_limite_a_son_departement(correspondant_31, jeu):
    reponse = couverture(correspondant_31)
    assert sans_rupn(reponse) == {"Collège A", "Collège B", "Collège sans personne"}
    # Le Tarn (couvert) ne compte pas dans son total.
    assert (reponse.context["total"], reponse.context["couverts"]) == (5, 2)


def test_le_national_voit_toutes_les_academies(national, jeu):
    assert couverture(national).context["total"] == 7


@pytest.mark.parametrize(
    ("filtre", "attendus"),
    [
        (lambda jeu: {"type": "lycee"}, set()),
        (lambda jeu: {"type": "college"}, {"Collège A", "Collège B", "Collège sans personne"}),
        (lambda jeu: {"secteur": "prive"}, set()),
        (lambda jeu: {"departement": Departement.objects.get(code="081").pk}, set()),
        (
            lambda jeu: {"departement": Departement.objects.get(code="031").pk},
            {"Collège A", "Collège B", "Collège sans personne"},
        ),
        (lambda jeu: {"bassin": jeu["bassin"].pk}, {"Collège sans personne"}),
    ],
)
def test_filtres(dane_toulouse, jeu, filtre, attendus):
    assert sans_rupn(couverture(dane_toulouse, **filtre(jeu))) == attendus


def test_les_chiffres_suivent_les_filtres(dane_toulouse, jeu):
    reponse = couverture(dane_toulouse, departement=Departement.objects.get(code="081").pk)
    assert (reponse.context["total"], reponse.context["couverts"], reponse.context["taux_couverture"]) == (1, 1, 100)


def test_seule_la_dane_peut_relancer(dane_toulouse, correspondant_31, national, jeu):
    bouton = "Relancer la direction des établissements sélectionnés"
    assert bouton in couverture(dane_toulouse).content.decode()
    assert 'name="etablissements"' in couverture(dane_toulouse).content.decode()
    for personne in (correspondant_31, national):
        contenu = couverture(personne).content.decode()
        assert bouton not in contenu and 'name="etablissements"' not in contenu


def test_la_direction_n_a_pas_acces(chef_a):
    assert client_de(chef_a).get(COUVERTURE, {"annee": ANNEE}).status_code == 403


def test_annee_inconnue(dane_toulouse):
    assert client_de(dane_toulouse).get(COUVERTURE, {"annee": "1990-1991"}).status_code == 404


def _etablissements(nombre, dane):
    """Des établissements sans RUPN, chacun avec une proposition, un refus et une relance."""
    for _ in range(nombre):
        etablissement = EtablissementFactory()
        DesignationFactory(etablissement=etablissement)
        DesignationFactory(etablissement=etablissement, refusee=True)
        RelanceCouverture.objects.create(etablissement=etablissement, annee=annee(ANNEE), par=dane)


@pytest.mark.parametrize("nombre", [20, 60])
def test_nombre_de_requetes_borne(dane_toulouse, django_assert_max_num_queries, nombre):
    _etablissements(nombre, dane_toulouse)
    client = client_de(dane_toulouse)
    with django_assert_max_num_queries(12):
        reponse = client.get(COUVERTURE, {"annee": ANNEE})
    assert reponse.context["nb_sans_rupn"] == nombre
    assert len(reponse.context["page"]) == min(nombre, 50)
