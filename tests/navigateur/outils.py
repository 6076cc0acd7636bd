"""Aides des tests dans le navigateur : connexion par le vrai formulaire, contrôles axe-core,
journal de la console (erreurs et violations de la CSP), captures d'écran."""

import time
from pathlib import Path
from urllib.parse import urlsplit

from allauth.mfa import app_settings as reglages_mfa
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe

from rupn.pilotage.demo import MOT_DE_PASSE

DOSSIER_CAPTURES = Path("/tmp/captures")
RAPPORT_AXE = DOSSIER_CAPTURES / "axe.txt"
SECRET_TOTP = "JBSWY3DPEHPK3PXP"  # celui de tests.factories.activer_totp
IMPACTS_BLOQUANTS = ("serious", "critical")

_AXE = Axe()

# Exécuté avant les scripts de chaque document (hors CSP) : chaque violation de la CSP est aussi
# écrite dans la console, avec sa directive, même si Chromium ne la signalait pas.
_SCRIPT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`Violation CSP : ${e.effectiveDirective} bloque ${e.blockedURI || "(en ligne)"}`);
});
"""


# Messages connus, vérifiés par un test dédié plutôt que sur chaque page :
# - CONTENT_SECURITY_POLICY écrit la chaîne "'nonce'" au lieu de csp.constants.NONCE : l'en-tête
#   garde cette source invalide (voir test_parcours.test_en_tete_csp_sans_source_invalide).
MESSAGES_CONNUS = ("contains an invalid source: ''nonce''",)


class Journal:
    """Relève les erreurs de la console, les exceptions JavaScript et les violations de la CSP."""

    def __init__(self, page):
        self.erreurs = []
        page.add_init_script(_SCRIPT_CSP)
        page.on("console", self._console)
        page.on("pageerror", lambda erreur: self.erreurs.append(f"exception JavaScript : {erreur}"))

    def _console(self, message):
        texte = message.text
        if any(connu in texte for connu in MESSAGES_CONNUS):
            return
        if message.type == "error" or "Content Security Policy" in texte:
            self.erreurs.append(f"console {message.type} : {texte} ({message.location.get('url', '')})")

    def vider(self):
        erreurs, self.erreurs = self.erreurs, []
        return erreurs


def _decrire(violations):
    lignes = []
    for violation in violations:
        cibles = [" ".join(map(str, noeud["target"])) for noeud in violation["nodes"]]
        lignes.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']}")
        lignes.extend(f"    {cible}" for cible in cibles[:10])
        if len(cibles) > 10:
            lignes.append(f"    … et {len(cibles) - 10} autres")
    return "\n".join(lignes)


def verifier_page(page, nom, erreurs_permises=()):
    """axe-core sans violation grave ni critique, console sans erreur ni violation de la CSP."""
    page.wait_for_load_state("networkidle")
    violations = _AXE.run(page).response["violations"]
    if violations:
        with RAPPORT_AXE.open("a", encoding="utf-8") as rapport:
            rapport.write(f"## {nom} — {page.url}\n{_decrire(violations)}\n")
    graves = [v for v in violations if v["impact"] in IMPACTS_BLOQUANTS]
    assert not graves, f"{nom} ({page.url}) : violations axe-core graves ou critiques\n{_decrire(graves)}"
    erreurs = [e for e in page.journal.vider() if not any(permise in e for permise in erreurs_permises)]
    assert not erreurs, f"{nom} ({page.url}) : erreurs dans la console\n" + "\n".join(erreurs)


def aller(page, chemin, nom, statut=200, **options):
    reponse = page.goto(chemin)
    assert reponse.status == statut, f"{nom} : {chemin} répond {reponse.status}"
    verifier_page(page, nom, **options)


def code_totp(secret=SECRET_TOTP):
    """Le code que l'application d'authentification afficherait maintenant, calculé comme allauth."""
    periode = reglages_mfa.TOTP_PERIOD
    if periode - time.time() % periode < 3:  # pas de code qui expire pendant l'envoi
        time.sleep(periode - time.time() % periode + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // periode))


def connecter(page, email, mot_de_passe=MOT_DE_PASSE):
    """Connexion par le formulaire d'allauth, puis le code TOTP si la page le demande."""
    aller(page, "/comptes/login/", "connexion")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(mot_de_passe)
    with page.expect_navigation():
        page.locator('form[action^="/comptes/login/"] button[type="submit"]').click()
    if "/comptes/2fa/authenticate/" in page.url:
        verifier_page(page, "double authentification")
        page.locator('input[name="code"]').fill(code_totp())
        with page.expect_navigation():
            page.locator('form[action="/comptes/2fa/authenticate/"] button[type="submit"]:not([form])').click()
    assert urlsplit(page.url).path == "/", f"{email} : connexion arrivée sur {page.url}"
    verifier_page(page, f"accueil de {email}")


def capturer(page, nom):
    chemin = DOSSIER_CAPTURES / f"{nom}.png"
    page.screenshot(path=str(chemin), full_page=True)
    return chemin
