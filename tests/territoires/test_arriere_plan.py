"""L'analyse d'un dépôt tourne vraiment dans un autre fil d'exécution, avec sa propre connexion."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from rupn.pilotage.demo import FICHIER_ANNUAIRE
from rupn.territoires import imports
from rupn.territoires.models import Etablissement, ImportAnnuaire
from tests.factories import academie


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="la base SQLite des tests (en mémoire, cache partagé) verrouille les tables entre fils d'exécution ; "
    "ce test tourne sur PostgreSQL (make test-postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_analyse_puis_import_en_arriere_plan(settings, dane_toulouse):
    settings.RUPN_TACHES_SYNCHRONES = False
    contenu = FICHIER_ANNUAIRE.read_bytes()
    depot = imports.depot_creer(
        academie=academie("16"),
        auteur=dane_toulouse,
        fichier=SimpleUploadedFile("annuaire.csv", contenu),
        contenu=contenu,
    )
    assert depot.statut == ImportAnnuaire.Statut.ANALYSE
    depot = _attendre_la_fin(depot)
    assert (depot.statut, depot.avancement, len(depot.bilan["crees"])) == ("apercu", 100, 579)
    assert Etablissement.objects.count() == 0
    imports.depot_confirmer(depot=depot)
    depot = _attendre_la_fin(depot)
    assert depot.statut == ImportAnnuaire.Statut.IMPORTE
    assert Etablissement.objects.count() == 579


def _attendre_la_fin(depot, secondes=60):
    limite = time.monotonic() + secondes
    while time.monotonic() < limite:
        depot.refresh_from_db()
        if depot.statut not in ImportAnnuaire.EN_COURS:
            return depot
        time.sleep(0.2)
    raise AssertionError(f"toujours {depot.statut} après {secondes} s ({depot.etape})")
