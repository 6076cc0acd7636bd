"""Le pilotage et la grille de maturité dans Chromium, sur la démonstration (issue 6) : la DANE lit les indicateurs
de son académie, descend dans la Haute-Garonne, ouvre la liste des établissements sans lettre scellée, relance
une sélection puis toute la liste, exporte le tableau affiché (CSV et XLSX), le trie, lit l'évolution et
l'imprime ; le chef du collège A remplit la grille de maturité (enregistrement item par item) et retrouve le
niveau sur la page de son établissement ; l'administration nationale compare les académies et ouvre celle de
Toulouse en lecture seule. axe-core et la console sur chaque page ; chaque page principale est capturée à 1280
et 375 pixels de large, sans débordement horizontal."""

import re
import time
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from lettres.models import LettreMission
from missions.models import Designation
from rupn.maturite.models import Grille, NiveauDomaine, Positionnement
from rupn.pilotage.demo import CODE_ACADEMIE, etablissements_demo
from rupn.pilotage.models import RelanceDirection
from rupn.territoires.models import AnneeScolaire, Etablissement
from tests.conftest import lire_csv
from tests.navigateur.conftest import nouvel_onglet
from tests.navigateur.outils import capturer, connecter, verifier_page
from tests.navigateur.test_enquete import onglet_suivi
from tests.navigateur.test_lettres import cocher_au_clavier, menu, message_succes
from tests.navigateur.test_parcours import activer_totp_demo, cliquer

pytestmark = pytest.mark.navigateur

DANE = "dane@demo.rupn.example"
CHEF = "chef@demo.rupn.example"
NATIONAL = "admin@demo.rupn.example"
HAUTE_GARONNE = "031"
LARGEURS = (1280, 375)
TITRE_TABLEAU_VENTILATION = re.compile(r"^Indicateurs par ")
EN_POSTE = [Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE]


# --- Les chiffres attendus, comptés ici sans rupn/pilotage/indicateurs.py ----------------------------------


def adresse_de_la_direction(etablissement):
    """Le chef fictif que la démonstration donne à chacun de ses établissements (demo/designations.py)."""
    return f"direction.{etablissement.uai.lower()}@demo.rupn.example"


def ouverts(departement=None):
    etablissements = Etablissement.objects.filter(academie__code=CODE_ACADEMIE, ouvert=True)
    return etablissements.filter(departement__code=departement) if departement else etablissements


def en_poste(annee, departement=None):
    """Les désignations acceptées ou validées de l'année dans les établissements ouverts."""
    return Designation.objects.filter(annee=annee, statut__in=EN_POSTE, etablissement__in=ouverts(departement))


def sans_lettre_scellee(annee, departement=None):
    """Les établissements dont une désignation en poste n'est dans aucune lettre scellée."""
    couvertes = set(
        LettreMission.objects.filter(statut=LettreMission.Statut.SCELLEE).values_list("designations", flat=True)
    )
    return {
        etablissement
        for pk, etablissement in en_poste(annee, departement).values_list("pk", "etablissement")
        if pk not in couvertes
    }


# --- Aides de lecture ----------------------------------------------------------------------------------------


def valeur(cellule):
    """Une cellule affichée (« 22 187,50 € », « 5,4 % », « — ») ou exportée (CSV, XLSX), en valeur comparable :
    nombre décimal, texte, ou None pour une cellule vide."""
    if cellule is None or isinstance(cellule, str) and cellule.strip() in ("", "—"):
        return None
    if isinstance(cellule, int | float | Decimal):
        return Decimal(str(cellule))
    texte = cellule.strip()
    chiffres = re.sub(r"[\s\u202f\xa0€%]", "", texte).replace(",", ".")
    try:
        return Decimal(chiffres)
    except InvalidOperation:
        return texte


def nombre(texte):
    return int(valeur(texte))


def tuile(page, titre):
    """Le chiffre d'une tuile d'indicateur."""
    titres = page.locator(".fr-tile__title", has_text=re.compile(f"^{re.escape(titre)}$"))
    return page.locator(".rupn-tuile").filter(has=titres).locator(".rupn-chiffre").inner_text()


def tableau(page, nom):
    return page.get_by_role("table", name=nom)


def lire_tableau(table):
    """(en-têtes, lignes) d'un tableau tel qu'affiché : textes visibles (sans ce qui n'est que pour les lecteurs
    d'écran ni les flèches de tri), lignes du corps puis ligne Total."""
    return table.evaluate(
        """(table) => {
          const texte = (cellule) => {
            const copie = cellule.cloneNode(true);
            copie.querySelectorAll(".fr-sr-only, [aria-hidden=true]").forEach((e) => e.remove());
            return copie.textContent.replace(/\\s+/g, " ").trim();
          };
          return [
            [...table.querySelectorAll("thead th")].map(texte),
            [...table.querySelectorAll("tbody tr, tfoot tr")].map((tr) => [...tr.children].map(texte)),
          ];
        }"""
    )


def colonne(entetes, titre):
    return entetes.index(titre)


def telecharger(page, lien):
    with page.expect_download() as telechargement:
        lien.click()
    return telechargement.value, Path(telechargement.value.path()).read_bytes()


def comparer_export(entetes, lignes, entetes_fichier, lignes_fichier, format):
    """L'export est le tableau affiché : mêmes colonnes (l'unité en plus), mêmes lignes, même ordre, mêmes
    valeurs (brutes dans le fichier)."""
    sans_unite = [re.sub(r" \((%|€)\)$", "", str(entete)) for entete in entetes_fichier]
    assert sans_unite == entetes, f"{format} : en-têtes {entetes_fichier} au lieu de {entetes}"
    assert len(lignes_fichier) == len(lignes), f"{format} : {len(lignes_fichier)} lignes au lieu de {len(lignes)}"
    for affichee, exportee in zip(lignes, lignes_fichier, strict=True):
        assert [valeur(c) for c in exportee] == [valeur(c) for c in affichee], f"{format} : {exportee} ≠ {affichee}"


def sans_debordement(page, nom):
    largeur = page.viewport_size["width"]
    defilement = page.evaluate("document.documentElement.scrollWidth")
    assert defilement <= largeur, f"{nom} : la page déborde ({defilement} px pour {largeur} px de large)"


def capturer_aux_deux_largeurs(page, nom, axe=True):
    """La page à 1280 puis 375 pixels de large : aucun débordement horizontal, axe-core au téléphone aussi."""
    for largeur in LARGEURS:
        page.set_viewport_size({"width": largeur, "height": 900})
        sans_debordement(page, f"{nom} à {largeur} px")
        if axe and largeur != LARGEURS[0]:
            verifier_page(page, f"{nom} à {largeur} px")
        capturer(page, f"pilotage-{nom}-{largeur}")
    page.set_viewport_size({"width": LARGEURS[0], "height": 900})


def verifier_impression(page, nom, masques, imprimes=()):
    """La page imprimée (média « print ») : sans menu, filtres, exports ni boutons ; les tableaux restent, et les
    `imprimes` (textes) se lisent."""
    page.emulate_media(media="print")
    try:
        for selecteur in ("#navigation-principale", ".fr-footer", *masques):
            elements = page.locator(selecteur)
            assert elements.count(), f"{nom} : {selecteur} absent de la page"
            for element in elements.all():
                expect(element).to_be_hidden()
        expect(page.locator(".rupn-tableau").first).to_be_visible()
        imprime = page.locator("main").inner_text()  # le texte rendu : sans ce que la feuille d'impression masque
        for texte in imprimes:
            assert texte in imprime, f"{nom} : « {texte} » ne s'imprime pas"
        capturer(page, f"pilotage-{nom}-impression")
    finally:
        page.emulate_media(media="screen")


# --- Les étapes du parcours ----------------------------------------------------------------------------------


def dane_lit_et_descend(page, annee):
    """Le tableau de bord de l'académie : les indicateurs, puis la Haute-Garonne (descente)."""
    menu(page, "Tableau de bord")
    assert urlsplit(page.url).path == "/pilotage/"
    assert page.get_by_role("heading", level=1).inner_text() == f"Tableau de bord — Académie de Toulouse — {annee}"
    assert nombre(tuile(page, "Établissements du périmètre")) == ouverts().count()
    assert nombre(tuile(page, "RUPN en poste")) == en_poste(annee).count()
    assert nombre(tuile(page, "Sans lettre de mission scellée")) == len(sans_lettre_scellee(annee))
    verifier_page(page, "DANE — tableau de bord")
    capturer_aux_deux_largeurs(page, "dane-tableau-de-bord")

    departements = tableau(page, TITRE_TABLEAU_VENTILATION)
    entetes, lignes = lire_tableau(departements)
    assert entetes[0] == "Département" and lignes[-1][0] == "Total"
    (ligne,) = [ligne for ligne in lignes if ligne[0].startswith(f"{HAUTE_GARONNE} — ")]
    assert nombre(ligne[colonne(entetes, "Établissements")]) == ouverts(HAUTE_GARONNE).count()
    cliquer(page, departements.get_by_role("link", name=ligne[0], exact=True))
    assert "Haute-Garonne" in page.locator("form.rupn-filtres select[name=departement] option:checked").inner_text()
    verifier_page(page, "DANE — tableau de bord de la Haute-Garonne")
    attendus = sans_lettre_scellee(annee, HAUTE_GARONNE)
    assert attendus, "la démonstration n'a aucun établissement de la Haute-Garonne en poste sans lettre scellée"
    assert nombre(tuile(page, "Sans lettre de mission scellée")) == len(attendus)
    return attendus


def dane_ouvre_la_liste_et_relance(page, annee, attendus):
    """Le chiffre « Sans lettre scellée » du département ouvre sa liste ; la DANE relance deux établissements,
    puis toute la liste : ceux déjà relancés ne reçoivent rien de plus."""
    bassins = tableau(page, TITRE_TABLEAU_VENTILATION)
    entetes, lignes = lire_tableau(bassins)
    rang = colonne(entetes, "Sans lettre scellée")
    assert nombre(lignes[-1][rang]) == len(attendus)
    cliquer(page, bassins.locator("tfoot tr td").nth(rang - 1).get_by_role("link"))
    adresse = urlsplit(page.url)
    assert adresse.path == "/pilotage/etablissements/"
    assert parse_qs(adresse.query)["liste"] == ["sans_lettre_scellee"]
    titre = page.get_by_role("heading", level=1).inner_text()
    assert titre == f"Établissements avec des désignations mais sans lettre scellée, {annee}", titre
    etablissements = list(Etablissement.objects.filter(pk__in=attendus).order_by("nom", "uai"))
    assert nombre(page.locator('p[role="status"] strong').inner_text()) == len(etablissements)
    liste = tableau(page, re.compile("^Établissements avec des désignations mais sans lettre scellée"))
    entetes, lignes = lire_tableau(liste)
    noms = [ligne[colonne(entetes, "Établissement")] for ligne in lignes]
    assert noms == [etablissement.nom for etablissement in etablissements]
    assert {ligne[colonne(entetes, "Dernière relance")] for ligne in lignes} == {"jamais"}
    verifier_page(page, "DANE — établissements sans lettre scellée")
    capturer_aux_deux_largeurs(page, "dane-liste-sans-lettre")

    # Une sélection de deux établissements.
    choisis = etablissements[:2]
    mail.outbox.clear()
    for etablissement in choisis:
        cocher_au_clavier(page, page.get_by_label(f"Relancer {etablissement.nom}", exact=True))
    cliquer(page, page.get_by_role("button", name="Relancer les établissements sélectionnés"))
    assert message_succes(page) == "2 directions relancées."
    verifier_page(page, "DANE — relance d'une sélection")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(map(adresse_de_la_direction, choisis))
    courriel = mail.outbox[0]
    assert courriel.subject.endswith(f"La lettre de mission du RUPN pour l'année {annee}"), courriel.subject
    assert f"/lettres/?annee={annee.code}" in courriel.body
    entetes, lignes = lire_tableau(liste)
    relances = {
        ligne[colonne(entetes, "Établissement")]: ligne[colonne(entetes, "Dernière relance")] for ligne in lignes
    }
    for etablissement in etablissements:
        attendu = r"\d\d/\d\d/\d{4}" if etablissement in choisis else "jamais"
        assert re.fullmatch(attendu, relances[etablissement.nom]), (etablissement.nom, relances[etablissement.nom])

    # Toute la liste, après confirmation : les deux déjà relancés ne reçoivent pas de second courriel.
    dialogues = []

    def accepter(dialogue):
        dialogues.append(dialogue.message)
        dialogue.accept()

    page.once("dialog", accepter)
    cliquer(page, page.get_by_role("button", name=f"Relancer toute la liste ({len(etablissements)})"))
    assert dialogues == [f"Relancer les {len(etablissements)} établissements de cette liste ?"]
    reste = len(etablissements) - len(choisis)
    assert message_succes(page) == (
        f"{reste} direction{'s' if reste > 1 else ''} relancée{'s' if reste > 1 else ''}. "
        "2 déjà relancées récemment : pas de nouveau courriel."
    )
    verifier_page(page, "DANE — relance de toute la liste")
    destinataires = [m.to[0] for m in mail.outbox]
    assert sorted(destinataires) == sorted(map(adresse_de_la_direction, etablissements))
    assert RelanceDirection.objects.filter(annee=annee, motif="lettre").count() == len(etablissements)

    # La page d'un établissement de la liste.
    cliquer(page, liste.get_by_role("link", name=etablissements[0].nom, exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == etablissements[0].nom
    suivi = tableau(page, re.compile(": RUPN, lettre de mission et compte-rendu par année scolaire$"))
    assert str(annee) in suivi.inner_text()
    verifier_page(page, "DANE — page d'un établissement")
    capturer_aux_deux_largeurs(page, "dane-fiche-etablissement")
    page.go_back()


def dane_exporte_et_trie(page):
    """Le tableau des bassins de la Haute-Garonne, exporté en CSV et en XLSX, puis trié par un clic d'en-tête."""
    cliquer(page, page.get_by_role("link", name="Retour au tableau de bord"))
    assert "departement" in parse_qs(urlsplit(page.url).query)
    bassins = tableau(page, TITRE_TABLEAU_VENTILATION)
    entetes, lignes = lire_tableau(bassins)
    assert entetes[0] == "Bassin de formation" and len(lignes) > 2
    exports = page.locator("#tableau-ventilation + .rupn-exports")

    telechargement, octets = telecharger(page, exports.get_by_role("link", name="Exporter ce tableau en CSV"))
    assert telechargement.suggested_filename.startswith("pilotage-ventilation-")
    assert octets.startswith("\ufeff".encode())
    texte = octets.decode("utf-8-sig")
    entetes_csv = texte.splitlines()[0].split(";")
    comparer_export(entetes, lignes, entetes_csv, [list(ligne.values()) for ligne in lire_csv(texte)], "CSV")

    _, octets = telecharger(page, exports.get_by_role("link", name="Exporter ce tableau en XLSX"))
    classeur = load_workbook(BytesIO(octets), read_only=True)
    try:
        entete_xlsx, *lignes_xlsx = list(classeur.active.iter_rows(values_only=True))
    finally:
        classeur.close()
    comparer_export(entetes, lignes, list(entete_xlsx), [list(ligne) for ligne in lignes_xlsx], "XLSX")
    verifier_page(page, "DANE — tableau de bord après les exports")

    # Un clic sur l'en-tête trie par ordre croissant, un second par ordre décroissant ; le Total reste en bas.
    rang = colonne(entetes, "Établissements")
    for lien, ordre, decroissant in (
        ("Établissements (trier)", "ascending", False),
        ("Établissements (trié par ordre croissant)", "descending", True),
    ):
        cliquer(page, bassins.get_by_role("link", name=lien, exact=True))
        parametres = parse_qs(urlsplit(page.url).query)
        assert parametres["tri"] == ["etablissements"], page.url
        expect(bassins.locator("thead th").nth(rang)).to_have_attribute("aria-sort", ordre)
        _, tries = lire_tableau(bassins)
        valeurs = [nombre(ligne[rang]) for ligne in tries[:-1]]
        assert valeurs == sorted(valeurs, reverse=decroissant), valeurs
        assert tries[-1] == lignes[-1]
        assert sorted(map(tuple, tries[:-1])) == sorted(map(tuple, lignes[:-1]))
        # L'export suit le tri affiché.
        exports = page.locator("#tableau-ventilation + .rupn-exports")
        _, octets = telecharger(page, exports.get_by_role("link", name="Exporter ce tableau en CSV"))
        texte = octets.decode("utf-8-sig")
        comparer_export(
            entetes,
            tries,
            texte.splitlines()[0].split(";"),
            [list(ligne.values()) for ligne in lire_csv(texte)],
            "CSV trié",
        )
    verifier_page(page, "DANE — tableau de bord trié")


def dane_imprime(page, annee):
    """L'évolution sur les années du département ; le tableau de bord et l'évolution à l'impression."""
    page.evaluate("window.print = () => { window.rupnImprime = true; }")  # pas de vraie boîte d'impression
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("window.rupnImprime === true")
    verifier_impression(
        page,
        "dane-tableau-de-bord",
        ("form.rupn-filtres", ".rupn-choix-annee", ".rupn-ventilation", ".rupn-exports", "[data-rupn-imprimer]"),
        # Sur papier, les filtres ne s'impriment pas : le titre dit quels établissements les chiffres comptent.
        imprimes=("Tableau de bord — Académie de Toulouse — Haute-Garonne (031)",),
    )

    cliquer(page, page.get_by_role("link", name="Évolution sur les années"))
    assert urlsplit(page.url).path == "/pilotage/evolution/"
    evolution = tableau(page, "Évolution sur les années scolaires")
    entetes, lignes = lire_tableau(evolution)
    assert len(lignes) == 5 and lignes[-1][0] == str(annee)
    assert nombre(lignes[-1][colonne(entetes, "RUPN en poste")]) == en_poste(annee, HAUTE_GARONNE).count()
    # Le filtre du département, gardé du tableau de bord, et l'année, gardée par le formulaire de filtres.
    expect(page.get_by_label("Département")).to_have_value(parse_qs(urlsplit(page.url).query)["departement"][0])
    verifier_page(page, "DANE — évolution sur les années")
    capturer_aux_deux_largeurs(page, "dane-evolution")
    verifier_impression(page, "dane-evolution", ("form.rupn-filtres", ".rupn-exports", "[data-rupn-imprimer]"))


def chef_remplit_la_grille(chef, college, annee):
    """Le chef met au niveau 1 le domaine « Formation », pas encore commencé, et en commence le niveau 2."""
    grille = Grille.objects.courante(college.academie)
    formation = grille.domaines.get(code="formation")
    niveau_1 = list(formation.items.filter(niveau=1).order_by("ordre"))
    en_cours = formation.items.filter(niveau=2).order_by("ordre").first()
    assert not Positionnement.objects.filter(etablissement=college, annee=annee, item__domaine__code="formation")
    assert NiveauDomaine.objects.get(etablissement=college, annee=annee, domaine_code="formation").niveau == 0

    menu(chef, "Maturité numérique")
    assert urlsplit(chef.url).path == "/maturite/"
    niveaux = chef.locator('[data-rupn-niveau="formation"]')
    expect(niveaux).to_have_text(["0", "0"])
    verifier_page(chef, "chef — grille de maturité")
    etat = chef.locator("#etat-formation")
    expect(etat).to_have_attribute("aria-live", "polite")

    choix = [(item, "Réalisé") for item in niveau_1] + [(en_cours, "En cours de réalisation")]
    avant = timezone.localtime()
    for item, statut in choix:
        groupe = chef.locator(f"fieldset#item-{item.code}")
        groupe.locator("label", has_text=re.compile(f"^{statut}$")).click()
        expect(groupe.get_by_label(statut, exact=True)).to_be_checked()
        if item == niveau_1[0]:  # le premier enregistrement, avant les suivants
            expect(etat).to_have_text(re.compile(r"^Enregistré à \d\d:\d\d\.$"))
    chef.envois.attendre(chef)
    expect(etat).to_have_text(re.compile(r"^Enregistré à \d\d:\d\d\.$"))
    heure = re.search(r"\d\d:\d\d", etat.inner_text()).group(0)
    assert f"{avant:%H:%M}" <= heure <= f"{timezone.localtime():%H:%M}", heure
    expect(niveaux).to_have_text(["1", "1"])
    expect(chef.locator('[data-rupn-realises="formation"]')).to_have_text(
        f"{len(niveau_1)} sur {formation.items.count()}"
    )
    expect(chef.locator('[data-rupn-en-cours="formation"]')).to_have_text("1")
    verifier_page(chef, "chef — grille enregistrée item par item")
    capturer_aux_deux_largeurs(chef, "chef-grille")

    # En base : les positionnements et le niveau du domaine.
    enregistres = dict(
        Positionnement.objects.filter(etablissement=college, annee=annee, item__domaine__code="formation").values_list(
            "item__code", "statut"
        )
    )
    assert enregistres == {item.code: Positionnement.Statut(statut_de(statut)) for item, statut in choix}
    assert NiveauDomaine.objects.get(etablissement=college, annee=annee, domaine_code="formation").niveau == 1

    # Recharger la page : les choix sont gardés.
    chef.reload()
    for item, statut in choix:
        expect(chef.locator(f"fieldset#item-{item.code}").get_by_label(statut, exact=True)).to_be_checked()
    expect(niveaux).to_have_text(["1", "1"])
    verifier_page(chef, "chef — grille rechargée")

    # La page de l'établissement : le niveau de l'année.
    menu(chef, "Mon établissement")
    assert chef.get_by_role("heading", level=1).inner_text() == college.nom
    maturite = tableau(chef, re.compile(": niveau de maturité numérique par domaine et par année scolaire$"))
    entetes, lignes = lire_tableau(maturite)
    (formation_ligne,) = [ligne for ligne in lignes if ligne[0] == formation.titre]
    assert formation_ligne[colonne(entetes, str(annee))] == "1"
    verifier_page(chef, "chef — mon établissement")
    capturer_aux_deux_largeurs(chef, "chef-mon-etablissement")


def statut_de(libelle):
    return {libelle_statut: code for code, libelle_statut in Positionnement.Statut.choices}[libelle]


def dane_modifie_la_grille(page):
    """La page de modification de la grille (DANE), pour la revue visuelle."""
    menu(page, "Grille de maturité")
    assert page.get_by_role("heading", level=1).inner_text() == "Grille de maturité numérique de l'académie"
    verifier_page(page, "DANE — modifier la grille de maturité")
    capturer_aux_deux_largeurs(page, "dane-grille-modifier")


def national_compare_et_lit_toulouse(page, annee):
    """Le tableau des académies, puis celle de Toulouse en lecture : ses listes n'ont pas de relance."""
    menu(page, "Tableau de bord")
    assert page.get_by_role("heading", level=1).inner_text() == f"Tableau de bord — Toutes les académies — {annee}"
    academies = tableau(page, TITRE_TABLEAU_VENTILATION)
    entetes, lignes = lire_tableau(academies)
    assert entetes[0] == "Académie"
    (toulouse,) = [ligne for ligne in lignes if ligne[0] == "Toulouse"]
    assert nombre(toulouse[colonne(entetes, "Établissements")]) == ouverts().count()
    assert nombre(toulouse[colonne(entetes, "RUPN en poste")]) == en_poste(annee).count()
    verifier_page(page, "national — tableau de bord")
    capturer_aux_deux_largeurs(page, "national-tableau-de-bord")

    cliquer(page, academies.get_by_role("link", name="Toulouse", exact=True))
    assert parse_qs(urlsplit(page.url).query)["academie"] == [CODE_ACADEMIE]
    assert page.get_by_role("heading", level=1).inner_text() == f"Tableau de bord — Académie de Toulouse — {annee}"
    assert "consultation en lecture seule" in page.locator("main").inner_text()
    assert nombre(tuile(page, "Sans lettre de mission scellée")) == len(sans_lettre_scellee(annee))
    verifier_page(page, "national — académie de Toulouse")

    cliquer(page, page.get_by_role("link", name="Sans lettre de mission scellée"))
    assert parse_qs(urlsplit(page.url).query)["academie"] == [CODE_ACADEMIE]
    assert nombre(page.locator('p[role="status"] strong').inner_text()) == len(sans_lettre_scellee(annee))
    expect(page.get_by_role("button", name=re.compile("^Relancer"))).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    verifier_page(page, "national — liste en lecture seule")


# --- Le parcours ---------------------------------------------------------------------------------------------


def test_pilotage_relances_exports_et_grille(page, navigateur, demo):
    debut = time.monotonic()
    annee = AnneeScolaire.objects.courante()
    college = etablissements_demo()["A"]

    # 1. La DANE : indicateurs, descente, liste, relances, exports, tri, évolution, impression.
    activer_totp_demo(DANE)
    connecter(page, DANE)
    attendus = dane_lit_et_descend(page, annee)
    dane_ouvre_la_liste_et_relance(page, annee, attendus)
    dane_exporte_et_trie(page)
    dane_imprime(page, annee)
    print(f"\nDANE : {time.monotonic() - debut:.1f} s")

    # 2. Le chef du collège A remplit la grille de maturité, dans son propre navigateur.
    chef = onglet_suivi(navigateur, demo)
    connecter(chef, CHEF)
    chef_remplit_la_grille(chef, college, annee)
    chef.context.close()

    # La DANE voit la page de modification de la grille.
    dane_modifie_la_grille(page)

    # 3. L'administration nationale.
    national = nouvel_onglet(navigateur, demo)
    activer_totp_demo(NATIONAL)
    connecter(national, NATIONAL)
    national_compare_et_lit_toulouse(national, annee)
    national.context.close()
    print(f"parcours du pilotage : {time.monotonic() - debut:.1f} s")
