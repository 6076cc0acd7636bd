"""Parcours dans Chromium sur la démonstration : chaque rôle se connecte par le vrai formulaire
(code TOTP compris), suit son menu et quelques pages ; sur chaque page, axe-core ne doit trouver
aucune violation grave ou critique, et la console aucune erreur ni violation de la CSP."""

from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from rupn.comptes.models import Role
from rupn.navigation import menu_pour
from rupn.pilotage.demo import FICHIER_ANNUAIRE, etablissements_demo
from rupn.territoires.models import Etablissement
from tests.factories import activer_totp
from tests.navigateur.outils import aller, capturer, connecter, verifier_page

pytestmark = pytest.mark.navigateur


@dataclass(frozen=True)
class Parcours:
    nom: str
    email: str
    type: str
    academique: bool = False  # liste des établissements, filtres et recherche
    invite: bool = False  # formulaire d'invitation
    totp: bool = False  # double authentification obligatoire (RUPN_MFA_OBLIGATOIRE)

    def __str__(self):
        return self.nom


PARCOURS = [
    Parcours("national", "admin@demo.rupn.example", Role.Type.NATIONAL, academique=True, invite=True, totp=True),
    Parcours("dane", "dane@demo.rupn.example", Role.Type.DANE, academique=True, invite=True, totp=True),
    Parcours("correspondant", "correspondant31@demo.rupn.example", Role.Type.CORRESPONDANT, academique=True, totp=True),
    Parcours("chef", "chef@demo.rupn.example", Role.Type.CHEF, invite=True),
    Parcours("adjoint", "adjoint@demo.rupn.example", Role.Type.ADJOINT, invite=True),
    Parcours("rupn", "rupn@demo.rupn.example", Role.Type.RUPN),
    Parcours("rupn-deux-roles", "rupn.deux@demo.rupn.example", Role.Type.RUPN),
]

PAGES_COMMUNES = [
    ("/plan-du-site/", "plan du site"),
    ("/mentions-legales/", "mentions légales"),
    ("/comptes/email/", "adresses électroniques du compte"),
    ("/comptes/2fa/", "double authentification"),
]


def activer_totp_demo(email):
    from rupn.comptes.models import Utilisateur

    activer_totp(Utilisateur.objects.get(email=email))


def cliquer(page, cible):
    with page.expect_navigation():
        cible.click()


def verifier_entete(page, avec_academie):
    titre = page.locator(".fr-header__service-title").inner_text()
    assert titre.startswith("RUPN"), titre
    if avec_academie:
        assert "Toulouse" in titre, titre
    assert page.locator(".fr-header__logo .fr-logo").is_visible()
    pied = page.locator("footer.fr-footer")
    for lien in ("Plan du site", "Accessibilité : partiellement conforme", "Mentions légales", "Données personnelles"):
        assert pied.get_by_role("link", name=lien).is_visible(), lien


@pytest.mark.parametrize("parcours", PARCOURS, ids=str)
def test_parcours_du_role(page, parcours):
    if parcours.totp:
        activer_totp_demo(parcours.email)
    connecter(page, parcours.email)

    verifier_entete(page, avec_academie=parcours.type != Role.Type.NATIONAL)
    attendu = menu_pour(SimpleNamespace(type=parcours.type))
    liens = page.locator("#navigation-principale a.fr-nav__link")
    assert [(lien.inner_text().strip(), lien.get_attribute("href")) for lien in liens.all()] == attendu
    capturer(page, f"accueil-{parcours.nom}")

    for libelle, chemin in attendu:
        cliquer(page, page.locator("#navigation-principale").get_by_role("link", name=libelle, exact=True))
        assert urlsplit(page.url).path == chemin
        assert page.locator(f'#navigation-principale a[href="{chemin}"]').get_attribute("aria-current") == "page"
        verifier_page(page, f"{parcours} — menu {libelle}")

    if parcours.academique:
        aller(page, "/etablissements/", f"{parcours} — établissements")
        page.get_by_label("Rechercher").fill("Toulouse")
        page.locator('select[name="type"]').select_option("lycee")
        cliquer(page, page.get_by_role("button", name="Filtrer"))
        parametres = parse_qs(urlsplit(page.url).query)
        assert (parametres["q"], parametres["type"]) == (["Toulouse"], ["lycee"])
        verifier_page(page, f"{parcours} — établissements filtrés")
        lignes = page.locator("table tbody tr")
        assert lignes.count() > 1
        assert "Lycée" in lignes.first.inner_text()
        cliquer(page, lignes.first.get_by_role("link"))
    else:
        aller(page, "/", f"{parcours} — accueil")
        cliquer(page, page.locator("dl.rupn-fiche a").first)
    assert "/etablissements/" in page.url
    verifier_page(page, f"{parcours} — fiche d'établissement")

    if parcours.invite:
        aller(page, "/invitations/nouvelle/", f"{parcours} — nouvelle invitation")
    for chemin, nom in PAGES_COMMUNES:
        aller(page, chemin, f"{parcours} — {nom}")


def test_changement_de_role_dans_le_navigateur(page):
    etablissements = etablissements_demo()
    college, lycee = etablissements["A"], etablissements["B"]
    connecter(page, "rupn.deux@demo.rupn.example")
    assert college.nom in page.locator("dl.rupn-fiche").inner_text()

    choix = page.locator("#choix-role")
    autre = choix.locator("option", has_text=lycee.nom)
    assert autre.get_attribute("selected") is None
    choix.select_option(value=autre.get_attribute("value"))
    cliquer(page, page.get_by_role("button", name="Changer de rôle"))

    assert urlsplit(page.url).path == "/"
    assert "Vous agissez maintenant en tant que" in page.locator(".fr-alert--success").inner_text()
    assert lycee.nom in page.locator("dl.rupn-fiche").inner_text()
    assert college.nom not in page.locator("dl.rupn-fiche").inner_text()
    assert page.locator("#choix-role option:checked").inner_text().endswith(lycee.nom)
    verifier_page(page, "accueil après changement de rôle")
    capturer(page, "accueil-rupn-deux-roles-apres-changement")


@pytest.fixture
def annuaire_modifie(tmp_path):
    """L'annuaire de la démonstration où le collège A a changé de nom."""
    college = etablissements_demo()["A"]
    lignes = FICHIER_ANNUAIRE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (index,) = [i for i, ligne in enumerate(lignes) if ligne.startswith(f"{college.uai};")]
    uai, nom, reste = lignes[index].split(";", 2)
    assert nom == college.nom
    nouveau_nom = f"{nom} — renommé"
    lignes[index] = f"{uai};{nouveau_nom};{reste}"
    chemin = tmp_path / "annuaire_toulouse_modifie.csv"
    chemin.write_text("".join(lignes), encoding="utf-8-sig")
    return SimpleNamespace(chemin=chemin, uai=college.uai, nouveau_nom=nouveau_nom)


def test_la_dane_importe_l_annuaire(page, annuaire_modifie):
    activer_totp_demo("dane@demo.rupn.example")
    connecter(page, "dane@demo.rupn.example")
    cliquer(page, page.locator("#navigation-principale").get_by_role("link", name="Import de l'annuaire"))
    verifier_page(page, "import de l'annuaire")

    page.get_by_label("Fichier de l'annuaire de l'éducation").set_input_files(annuaire_modifie.chemin)
    cliquer(page, page.get_by_role("button", name="Analyser le fichier"))
    assert "/etablissements/imports/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Aperçu de l'import"

    def tuile(libelle):
        return page.locator(".fr-tile").filter(has=page.locator(".fr-tile__title", has_text=libelle))

    assert tuile("Modifiés").locator(".rupn-chiffre").inner_text() == "1"
    for libelle in ("Nouveaux", "Fermés", "Rejetés"):
        assert tuile(libelle).locator(".rupn-chiffre").inner_text() == "0", libelle
    verifier_page(page, "aperçu de l'import")
    # Le détail des modifications, accordéon ouvert.
    page.get_by_role("button", name="Établissements modifiés (1)").click()
    detail = page.locator("#acc-maj")
    detail.get_by_text(annuaire_modifie.nouveau_nom).wait_for()
    verifier_page(page, "aperçu de l'import, établissements modifiés dépliés")
    capturer(page, "import-apercu")
    assert Etablissement.objects.get(uai=annuaire_modifie.uai).nom != annuaire_modifie.nouveau_nom

    cliquer(page, page.get_by_role("button", name="Confirmer l'import"))
    message = page.locator(".fr-alert--success").inner_text()
    assert message.startswith("Import terminé") and "Nouveaux : 0 · Modifiés : 1 ·" in message, message
    assert page.get_by_role("button", name="Confirmer l'import").count() == 0
    verifier_page(page, "import confirmé")
    capturer(page, "import-confirme")
    assert Etablissement.objects.get(uai=annuaire_modifie.uai).nom == annuaire_modifie.nouveau_nom


@pytest.mark.parametrize(
    ("chemin", "nom", "statut"),
    [
        ("/", "présentation", 200),
        ("/comptes/login/", "connexion", 200),
        ("/comptes/password/reset/", "mot de passe oublié", 200),
        ("/plan-du-site/", "plan du site", 200),
        ("/accessibilite/", "déclaration d'accessibilité", 200),
        ("/donnees-personnelles/", "données personnelles", 200),
        ("/page-qui-n-existe-pas/", "page non trouvée", 404),
    ],
    ids=["presentation", "connexion", "mot-de-passe-oublie", "plan-du-site", "accessibilite", "donnees", "404"],
)
def test_pages_anonymes(page, chemin, nom, statut):
    # La 404 du document lui-même est écrite dans la console par Chromium.
    permises = ("status of 404",) if statut == 404 else ()
    aller(page, chemin, f"anonyme — {nom}", statut=statut, erreurs_permises=permises)
    verifier_entete(page, avec_academie=False)
    assert page.get_by_role("heading", level=1).count() == 1
    if chemin == "/":
        capturer(page, "presentation-anonyme")


def test_en_tete_csp_sans_source_invalide(page):
    """Chromium ignore une source invalide de la CSP (et l'écrit dans la console, voir outils.MESSAGES_CONNUS) :
    « 'nonce' » seul en est une ; il faut csp.constants.NONCE, que django-csp remplace par « 'nonce-…' »."""
    reponse = page.goto("/")
    politique = reponse.headers["content-security-policy"]
    (script_src,) = [d.split()[1:] for d in politique.split(";") if d.split()[:1] == ["script-src"]]
    invalides = [s for s in script_src if s != "'self'" and not s.startswith(("'nonce-", "'sha"))]
    assert not invalides, f"sources invalides dans script-src : {invalides} ({politique})"
