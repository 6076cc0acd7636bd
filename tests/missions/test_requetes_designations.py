"""Pages académiques des désignations à l'échelle d'une grande académie : le nombre de requêtes
reste borné (pas de N+1) avec 900 établissements et 2 000 désignations dans l'année."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.models import Designation, Enveloppe, Transition
from rupn.comptes.models import Utilisateur
from rupn.territoires.models import AnneeScolaire, Bassin, Departement, Etablissement
from tests.conftest import client_de
from tests.factories import DesignationFactory, academie, taux, uai_valide

pytestmark = pytest.mark.django_db

BORNE = 15
ETABLISSEMENTS = 900
COUVERTS = 800  # les 100 derniers n'ont aucune désignation : la couverture est partielle
DESIGNATIONS = 2000
ETATS = ["proposee", "acceptee", "validee", "validee", "acceptee", "refusee", "validee"]


@dataclass
class GrandeAcademie:
    annee: AnneeScolaire
    departement: Departement
    bassin: Bassin


def _annee_en_cours():
    jour = timezone.localdate()
    return AnneeScolaire.pour_rentree(jour.year if jour.month >= 9 else jour.year - 1)


@pytest.fixture
def grande_academie(db):
    """900 établissements ouverts dans l'académie de Toulouse, 2 000 désignations de l'année en cours
    (et quelques-unes de l'année précédente), une enveloppe par établissement ; quelques lignes dans
    l'académie de Montpellier. Tout est créé par lots."""
    annee = _annee_en_cours()
    precedente = AnneeScolaire.pour_rentree(annee.debut.year - 1)
    toulouse = academie("16")
    departements = list(Departement.objects.filter(academie=toulouse).order_by("code"))
    bassins = Bassin.objects.bulk_create(
        [
            Bassin(code=f"16T{rang:03d}", libelle=f"Bassin de {d.nom}", academie=toulouse)
            for rang, d in enumerate(departements)
        ]
    )
    etablissements = Etablissement.objects.bulk_create(
        [
            Etablissement(
                uai=uai_valide(9_100_000 + rang),
                nom=f"{'Lycée' if rang % 3 == 0 else 'Collège'} n° {rang}",
                type=Etablissement.Type.LYCEE if rang % 3 == 0 else Etablissement.Type.COLLEGE,
                secteur=Etablissement.Secteur.PRIVE if rang % 3 == 1 else Etablissement.Secteur.PUBLIC,
                academie=toulouse,
                departement=departements[rang % len(departements)],
                bassin=bassins[rang % len(bassins)],
                commune="Toulouse",
            )
            for rang in range(ETABLISSEMENTS)
        ]
    )
    chef, *agents = Utilisateur.objects.bulk_create(
        [
            Utilisateur(email=f"personne{rang}@grande-academie.example", first_name="Camille", last_name=f"N{rang}")
            for rang in range(DESIGNATIONS + 1)
        ]
    )
    imp = taux(1250)

    def designation(rang, annee, statut):
        allegement = rang % 30 == 0
        return Designation(
            etablissement=etablissements[rang % COUVERTS],
            annee=annee,
            agent=agents[rang],
            statut=statut,
            taux=None if allegement else imp,
            heures_allegement=Decimal(2) if allegement else None,
            debut=annee.debut,
            fin=annee.fin,
            nb_mois=12,
            montant=Decimal(0) if allegement else imp.montant,
            premier_mois_paiement=10,
            cree_par=chef,
        )

    designations = Designation.objects.bulk_create(
        [designation(rang, annee, ETATS[rang % len(ETATS)]) for rang in range(DESIGNATIONS)]
        + [designation(rang, precedente, "validee") for rang in range(50)]
    )
    Transition.objects.bulk_create([Transition(designation=d, vers=d.statut, par=chef) for d in designations])
    Enveloppe.objects.bulk_create(
        [Enveloppe(etablissement=e, annee=annee, montant=Decimal("2500")) for e in etablissements]
    )
    # Ailleurs : rien de tout cela ne doit apparaître à la DANE de Toulouse.
    for statut in ("acceptee", "validee"):
        herault = DesignationFactory(
            etablissement__departement=Departement.objects.get(code="034"), annee=annee, statut=statut
        )
        Enveloppe.objects.create(etablissement=herault.etablissement, annee=annee, montant=Decimal("1250"))
    return GrandeAcademie(annee=annee, departement=departements[0], bassin=bassins[0])


PAGES = {
    "designations": ("missions:academie_designations", lambda g: {}),
    "designations-filtrees": (
        "missions:academie_designations",
        lambda g: {"departement": g.departement.pk, "statut": "acceptee", "type": "college", "q": "Collège"},
    ),
    "designations-bassin-page-2": (
        "missions:academie_designations",
        lambda g: {"bassin": g.bassin.pk, "secteur": "prive", "page": 2},
    ),
    "designations-annee-page-3": (
        "missions:academie_designations",
        lambda g: {"annee": g.annee.code, "statut": "validee", "page": 3},
    ),
    "couverture": ("missions:couverture", lambda g: {}),
    "couverture-filtree": ("missions:couverture", lambda g: {"departement": g.departement.pk, "type": "lycee"}),
    "enveloppes": ("missions:enveloppe_liste", lambda g: {}),
}


@pytest.mark.parametrize(("nom", "filtres"), PAGES.values(), ids=PAGES.keys())
def test_pages_academiques_a_grande_echelle(
    grande_academie, dane_toulouse, django_assert_max_num_queries, nom, filtres
):
    client = client_de(dane_toulouse)
    with django_assert_max_num_queries(BORNE):
        reponse = client.get(reverse(nom), filtres(grande_academie))
    assert reponse.status_code == 200


def test_la_liste_compte_toutes_les_designations_de_l_academie(grande_academie, dane_toulouse):
    """Les 2 000 désignations de l'année à Toulouse, ni celles de l'année précédente ni celles de Montpellier."""
    reponse = client_de(dane_toulouse).get(reverse("missions:academie_designations"))
    assert reponse.status_code == 200
    assert reponse.context["page"].paginator.count == DESIGNATIONS
