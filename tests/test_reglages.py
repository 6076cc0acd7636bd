"""Réglages de production et pages d'erreur."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.urls import reverse

from rupn.env import env_bool
from rupn.views import erreur_500
from tests.conftest import client_de

RACINE = Path(__file__).resolve().parent.parent


def environnement_de_production(**variables):
    """L'environnement du processus sans aucune variable de configuration du projet, plus `variables`."""
    prefixes = ("DJANGO_", "RUPN_", "DATABASE_", "EMAIL_", "PROCONNECT_", "DEFAULT_FROM_EMAIL")
    env = {cle: valeur for cle, valeur in os.environ.items() if not cle.startswith(prefixes)}
    env.update(DJANGO_SETTINGS_MODULE="rupn.settings.base", **variables)
    return env


def manage(*arguments, env):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_les_reglages_de_production_passent_check_deploy_sans_avertissement():
    cle = secrets.token_urlsafe(45)
    assert len(cle) == 60
    env = environnement_de_production(DJANGO_SECRET_KEY=cle, DJANGO_ALLOWED_HOSTS="rupn.example")

    resultat = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    sortie = resultat.stdout + resultat.stderr
    assert resultat.returncode == 0, sortie
    assert "WARNING" not in sortie
    assert "security.W" not in sortie
    assert "System check identified no issues" in sortie


def test_sans_cle_secrete_la_production_refuse_de_demarrer():
    env = environnement_de_production(DJANGO_ALLOWED_HOSTS="rupn.example")

    resultat = manage("check", env=env)

    assert resultat.returncode != 0
    assert "ImproperlyConfigured: La variable d'environnement DJANGO_SECRET_KEY est obligatoire." in resultat.stderr


def test_une_cle_secrete_vide_est_refusee_en_francais(monkeypatch):
    from rupn.env import env_str

    monkeypatch.setenv("DJANGO_SECRET_KEY", "")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY est obligatoire"):
        env_str("DJANGO_SECRET_KEY")
    monkeypatch.setenv("PROCONNECT_CLIENT_ID", "")
    assert env_str("PROCONNECT_CLIENT_ID", "") == ""


def test_env_bool_refuse_une_valeur_ambigue(monkeypatch):
    monkeypatch.setenv("RUPN_ESSAI", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="RUPN_ESSAI doit valoir true ou false, pas « peut-être »."):
        env_bool("RUPN_ESSAI", True)


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [("oui", True), (" TRUE ", True), ("1", True), ("non", False), ("0", False), ("", False)],
)
def test_env_bool_lit_oui_et_non(monkeypatch, valeur, attendu):
    monkeypatch.setenv("RUPN_ESSAI", valeur)
    assert env_bool("RUPN_ESSAI", not attendu) is attendu


def test_env_bool_sans_variable_rend_la_valeur_par_defaut(monkeypatch):
    monkeypatch.delenv("RUPN_ESSAI", raising=False)
    assert env_bool("RUPN_ESSAI", True) is True
    assert env_bool("RUPN_ESSAI") is False


def page_dsfr_francaise(reponse, statut, *textes):
    assert reponse.status_code == statut
    contenu = reponse.content.decode()
    assert '<html lang="fr"' in contenu
    assert 'class="fr-header"' in contenu
    assert 'id="footer"' in contenu or "fr-footer" in contenu
    for texte in textes:
        assert texte in contenu, texte
    return contenu


def test_la_page_404_est_une_page_dsfr_en_francais(chef_a):
    reponse = client_de(chef_a).get("/cette-page-n-existe-pas/")

    contenu = page_dsfr_francaise(reponse, 404, "Page non trouvée", "Erreur 404")
    assert "Not Found" not in contenu


def test_la_page_403_est_une_page_dsfr_en_francais(rupn_a):
    reponse = client_de(rupn_a).get(reverse("comptes:invitation_liste"))

    contenu = page_dsfr_francaise(reponse, 403, "Accès refusé", "Erreur 403")
    assert "Votre rôle actuel ne donne pas accès à cette page." in contenu
    assert "Forbidden" not in contenu


def test_la_page_500_rend_le_gabarit_d_erreur(db):
    requete = RequestFactory().get("/")
    requete.user = AnonymousUser()
    requete.csp_nonce = "nonce-de-test"  # posé par django-csp quand la requête traverse les intergiciels
    gabarits = []

    def noter(sender, template, context, **kwargs):
        gabarits.append(template.name)

    template_rendered.connect(noter)
    try:
        reponse = erreur_500(requete)
    finally:
        template_rendered.disconnect(noter)

    assert gabarits[0] == "erreurs/500.html"
    # Sans les intergiciels, le nonce CSP manque : seul le contenu de la page est vérifié ici.
    page_dsfr_francaise(reponse, 500, "Erreur inattendue", "Erreur 500")


def test_en_test_une_variable_de_gabarit_inconnue_fait_echouer_le_rendu():
    from django.template import engines

    gabarit = engines["django"].from_string("Bonjour {{ personne.nom_mal_orthographie }}")
    with pytest.raises(NameError, match="Variable de gabarit inconnue : personne.nom_mal_orthographie"):
        gabarit.render({"personne": object()})


def test_un_formulaire_expire_donne_une_page_dsfr_en_francais(chef_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(chef_a)
    reponse = client.post(reverse("comptes:invitation_creer"), {"email": "x@rupn.example"})
    contenu = page_dsfr_francaise(reponse, 403, "Formulaire expiré", "Rien n'a été enregistré")
    assert "CSRF" not in contenu


def test_la_csp_autorise_les_formulaires_vers_proconnect_seulement_s_il_est_configure():
    env = environnement_de_production(DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="rupn.example")

    def form_action():
        code = "import django; django.setup(); from django.conf import settings; "
        code += "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
        resultat = subprocess.run([sys.executable, "-c", code], env=env, cwd=RACINE, capture_output=True, text=True)
        return resultat.stdout.strip()

    assert form_action() == "[\"'self'\"]"
    env.update(PROCONNECT_CLIENT_ID="client", PROCONNECT_SERVER_URL="https://fca.integ01.dev-agentconnect.fr/api/v2")
    assert form_action() == "[\"'self'\", 'https://fca.integ01.dev-agentconnect.fr']"


def test_le_menu_marque_la_rubrique_des_pages_qui_en_dependent():
    from rupn.context_processors import entree_active

    menu = [("Accueil", "/"), ("Désignations", "/designations/"), ("Mes désignations", "/mes-designations/")]
    assert entree_active(menu, "/") == "/"
    assert entree_active(menu, "/designations/1b2c/terminer/") == "/designations/"
    assert entree_active(menu, "/mes-designations/") == "/mes-designations/"
    assert entree_active(menu, "/plan-du-site/") is None
