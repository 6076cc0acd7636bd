"""Étape « grilles de maturité » de la démonstration (rupn/pilotage/demo/maturite.py), sur un jeu réduit : les
établissements A et B des personas et deux autres, chacun avec sa direction (la démonstration complète est
chargée par tests/pilotage/test_demo.py)."""

import pytest

from rupn.comptes.models import Role
from rupn.maturite.models import NiveauDomaine, Positionnement
from rupn.maturite.services import synthese
from rupn.pilotage.demo import maturite
from rupn.pilotage.demo.designations import DOMAINE
from tests.conftest import _personne
from tests.factories import EtablissementFactory, academie


@pytest.fixture
def demonstration(college_a, annee):
    lycee = EtablissementFactory(lycee=True)
    autres = EtablissementFactory.create_batch(2)
    _personne("chef@demo.rupn.example", type=Role.Type.CHEF, etablissement=college_a)
    _personne("chef.lycee@demo.rupn.example", type=Role.Type.CHEF, etablissement=lycee)
    for etablissement in autres:
        _personne(f"direction.{etablissement.uai.lower()}@{DOMAINE}", type=Role.Type.CHEF, etablissement=etablissement)
    return {"A": college_a, "B": lycee}, autres


def test_la_demonstration_remplit_les_grilles_une_fois(demonstration, annee, annee_passee):
    etablissements, (premier, second) = demonstration
    sorties = []
    maturite.charger(sorties.append, academie=academie("16"), etablissements=etablissements)
    assert sorties[-1].startswith("Grilles de maturité numérique : 7 remplies (")
    remplies = set(Positionnement.objects.values_list("etablissement_id", "annee_id").distinct())
    assert remplies == {
        (etablissements["A"].pk, annee_passee.pk),
        (etablissements["A"].pk, annee.pk),
        (etablissements["B"].pk, annee_passee.pk),
        (etablissements["B"].pk, annee.pk),
        (premier.pk, annee_passee.pk),
        (premier.pk, annee.pk),
        (second.pk, annee.pk),
    }
    assert NiveauDomaine.objects.count() == 7 * 5
    # Collège A : en partie cette année (la formation pas encore), des domaines en progrès depuis l'an dernier.
    lignes = {ligne["domaine"].code: ligne for ligne in synthese(etablissements["A"], annee)}
    assert not any(item.statut for item in lignes["formation"]["items"])
    assert any(not item.statut for item in lignes["infrastructure"]["items"])
    assert (lignes["pilotage"]["niveau_precedent"], lignes["pilotage"]["niveau"]) == (1, 2)
    assert lignes["ressources"]["evolution"] == 0
    assert {ligne["evolution"] for ligne in lignes.values()} >= {0, 1}

    nombre = Positionnement.objects.count()
    maturite.charger(sorties.append, academie=academie("16"), etablissements=etablissements)
    assert sorties[-1] == "Grilles de maturité numérique : 0 remplies (0 items), 7 déjà présentes."
    assert Positionnement.objects.count() == nombre
