"""Fixtures des tests dans le navigateur : Chromium de Debian piloté par Playwright (API synchrone).

Lancés à part (make test-navigateur) : chaque module de test porte la marque « navigateur »,
que les options par défaut de pytest écartent (-m 'not navigateur').

- ``navigateur`` : un Chromium sans interface, lancé une fois par session ;
- ``demo`` : la démonstration (charger_demo) dans la base du ``live_server`` de pytest-django,
  rechargée pour chaque test : ``live_server`` impose une base transactionnelle, vidée après
  chaque test ; ``serialized_rollback`` y remet d'abord le référentiel des migrations
  (académies, départements) dont charger_demo a besoin ;
- ``page`` : un onglet neuf (contexte isolé, sans cookies) par test, dont les erreurs de la
  console, les erreurs JavaScript et les violations de la CSP sont relevées (voir outils.Journal).
"""

import io
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.navigateur.outils import DOSSIER_CAPTURES, Journal

CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def _orm_sous_playwright():
    """L'API synchrone de Playwright fait tourner une boucle asyncio dans le fil principal :
    Django y refuserait l'ORM (SynchronousOnlyOperation). On l'autorise pour ces tests
    seulement (et non à l'import du conftest, que la suite normale lit aussi)."""
    avant = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if avant is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = avant


@pytest.fixture(scope="session")
def navigateur():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} manque : installez le Chromium de Debian (make navigateur-systeme).")
    from playwright.sync_api import sync_playwright

    DOSSIER_CAPTURES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS_CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(live_server, django_db_serialized_rollback, settings, tmp_path, sceau_de_demonstration):
    """Les établissements de Toulouse et les personnes fictives, dans la base du serveur de test."""
    settings.MEDIA_ROOT = tmp_path / "media"  # les fichiers d'import déposés, les lettres scellées
    # Limites de débit d'allauth et codes TOTP déjà utilisés : rien ne passe d'un test à l'autre.
    cache.clear()
    call_command("charger_demo", forcer=True, stdout=io.StringIO())
    return live_server


def nouvel_onglet(navigateur, serveur):
    """Un onglet dans un contexte de navigation neuf (sans cookie : une autre personne), en français."""
    contexte = navigateur.new_context(locale="fr-FR", base_url=serveur.url, viewport={"width": 1280, "height": 900})
    contexte.set_default_timeout(15_000)
    onglet = contexte.new_page()
    onglet.journal = Journal(onglet)
    return onglet


@pytest.fixture
def page(navigateur, demo):
    onglet = nouvel_onglet(navigateur, demo)
    yield onglet
    onglet.context.close()
