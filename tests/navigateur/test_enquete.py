"""Le parcours de l'enquête de fin d'année dans Chromium, sur la démonstration (qui ne crée pas d'enquête) :
la DANE crée l'enquête de l'année depuis l'enquête par défaut, la relit dans l'aperçu, fixe ses dates et
lance la campagne ; Samir Haddad, RUPN du lycée B, note trois activités dans son journal, commence
l'enquête (le journal préremplit l'étape « Accompagnement des collègues », l'enregistrement automatique
garde ses réponses), ferme l'onglet, revient dans une nouvelle séance à la première étape incomplète, finit
et envoie ; le chef du lycée B télécharge le compte-rendu en PDF et en prend connaissance avec un
commentaire ; la DANE lit l'analyse et exporte les réponses. axe-core et la console sur chaque page."""

import datetime
import re
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from enquetes.models import Enquete, Participation
from enquetes.services import STATUTS_PARTICIPANTS, designations_participantes
from missions.journal import resume_du_journal
from missions.models import Activite, Designation
from rupn.pilotage.demo import etablissements_demo
from rupn.territoires.models import AnneeScolaire
from tests.conftest import lire_csv
from tests.navigateur.conftest import nouvel_onglet
from tests.navigateur.outils import aller, capturer, connecter, verifier_page
from tests.navigateur.test_lettres import menu, message_succes
from tests.navigateur.test_parcours import activer_totp_demo, cliquer

pytestmark = pytest.mark.navigateur

DANE = "dane@demo.rupn.example"
CHEF_LYCEE = "chef.lycee@demo.rupn.example"
SAMIR = "rupn.deux@demo.rupn.example"
COMMENTAIRE_CHEF = "Merci pour cette année : parlons du projet de webradio au conseil pédagogique."
BILAN = "Une année riche : l'atelier sur les manuels numériques a lancé l'équipe."
BESOINS = "Prise en main de l'ENT par les nouveaux collègues, évaluations en ligne."

# (catégorie, personnes touchées, durée, description) : les trois entrées que Samir note dans son journal.
ENTREES = [
    (Activite.Categorie.FORMATION, "12", "2", "Atelier sur les exerciseurs en ligne pour l'équipe de sciences."),
    (Activite.Categorie.ACCOMPAGNEMENT, "1", "1,5", "Aide à un collègue pour sa classe virtuelle."),
    (Activite.Categorie.PROJET, "24", "3", "Lancement du projet de podcast avec deux classes de seconde."),
]


# --- Aides --------------------------------------------------------------------------------------------


class EnvoisEnArrierePlan:
    """Les requêtes `fetch` de la page encore en cours (l'enregistrement automatique) : on attend qu'il
    n'y en ait plus avant de quitter l'étape, pour qu'aucun enregistrement ne croise l'envoi du formulaire."""

    def __init__(self, page):
        self.en_cours = set()
        page.on("request", self._depart)
        page.on("requestfinished", self._fin)
        page.on("requestfailed", self._fin)

    def _depart(self, requete):
        if requete.resource_type == "fetch":
            self.en_cours.add(requete)

    def _fin(self, requete):
        self.en_cours.discard(requete)

    def attendre(self, page, delai=30):
        limite = time.monotonic() + delai
        while self.en_cours:
            assert time.monotonic() < limite, "l'enregistrement automatique ne répond pas"
            page.wait_for_timeout(100)


def onglet_suivi(navigateur, serveur):
    onglet = nouvel_onglet(navigateur, serveur)
    onglet.envois = EnvoisEnArrierePlan(onglet)
    return onglet


def attendre_enregistrement(page):
    """L'enregistrement automatique de l'étape, déclenché en quittant le champ modifié : on attend que la zone
    d'état annonce « Enregistré à HH:MM. » sans plus aucun envoi en cours (un enregistrement demandé pendant
    un autre part juste après lui), deux fois de suite à une demi-seconde d'écart."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    etat = page.locator("#enregistrement-etat")
    limite = time.monotonic() + 30
    stable = 0
    while stable < 2:
        assert time.monotonic() < limite, f"enregistrement automatique non confirmé : « {etat.inner_text()} »"
        page.envois.attendre(page)
        stable = stable + 1 if re.fullmatch(r"Enregistré à \d\d:\d\d\.", etat.inner_text()) else 0
        page.wait_for_timeout(500)


def choisir(page, code, option):
    """Un bouton radio ou une case d'une question, par un clic sur son libellé (le DSFR le superpose à la case)."""
    groupe = page.locator(f"fieldset#q-{code}")
    groupe.locator("label", has_text=re.compile(f"^{re.escape(option)}$")).click()
    expect(groupe.get_by_label(option, exact=True)).to_be_checked()


def etape_courante(page):
    return int(re.search(r"/etape/(\d+)/$", urlsplit(page.url).path).group(1))


def continuer(page):
    cliquer(page, page.get_by_role("button", name="Enregistrer et continuer"))


def ligne_de(page, tableau, texte):
    return page.get_by_role("table", name=tableau).get_by_role("row").filter(has_text=texte)


def telecharger(page, lien):
    with page.expect_download(timeout=90_000) as telechargement:
        lien.click()
    return telechargement.value, Path(telechargement.value.path()).read_bytes()


# --- Les étapes du parcours ---------------------------------------------------------------------------


def dane_cree_et_lance(page, annee):
    """La DANE crée l'enquête depuis l'enquête par défaut, la relit, fixe ses dates et lance la campagne."""
    activer_totp_demo(DANE)  # la double authentification est obligatoire aux rôles académiques
    connecter(page, DANE)
    menu(page, "Enquête de fin d'année")
    verifier_page(page, "DANE — enquêtes")
    cliquer(page, page.get_by_role("button", name="Créer depuis l'enquête par défaut"))
    assert f"L'enquête {annee} est créée à partir de l'enquête par défaut" in message_succes(page)
    enquete = Enquete.objects.get(academie__code="16", annee=annee)
    assert urlsplit(page.url).path == enquete.get_absolute_url()
    assert enquete.questions.count() == 37 and enquete.sections.count() == 8
    assert page.locator("code", has_text=re.compile("^poursuite_mission$")).is_visible()
    verifier_page(page, "DANE — enquête créée")

    cliquer(page, page.get_by_role("link", name="Aperçu, tel que le RUPN la voit"))
    verifier_page(page, "DANE — aperçu")
    assert page.get_by_text("Étape 8 sur 8").is_visible()
    assert page.get_by_text("Combien de formations ou d'ateliers avez-vous animés ?").is_visible()
    cliquer(page, page.get_by_role("link", name="Revenir à l'enquête"))

    aujourd_hui = timezone.localdate()
    cloture = aujourd_hui + datetime.timedelta(days=30)
    cliquer(page, page.get_by_role("link", name="Modifier le titre, l'accueil et les dates"))
    verifier_page(page, "DANE — dates de la campagne")
    page.get_by_label("Ouverture de la campagne").fill(aujourd_hui.isoformat())
    page.get_by_label("Clôture de la campagne").fill(cloture.isoformat())
    cliquer(page, page.get_by_role("button", name="Enregistrer"))
    assert "L'enquête est enregistrée" in message_succes(page)
    enquete.refresh_from_db()
    assert (enquete.ouverture, enquete.cloture) == (aujourd_hui, cloture)

    attendues = designations_participantes(enquete).count()
    assert attendues > 1  # Samir et les RUPN fictifs des autres établissements
    cliquer(page, page.get_by_role("link", name="Lancer la campagne…"))
    verifier_page(page, "DANE — lancer la campagne")
    cliquer(page, page.get_by_role("button", name=f"Lancer la campagne et inviter {attendues} RUPN"))
    assert f"Campagne lancée : {attendues} participations créées, {attendues} invitations envoyées." in (
        message_succes(page)
    )
    total = page.get_by_role("table", name="Participations par état").get_by_role("row", name=re.compile("^Total"))
    assert re.match(rf"Total\s+{attendues}\b", total.inner_text()), total.inner_text()
    assert enquete.participations.count() == attendues
    (invitation,) = [
        m
        for m in mail.outbox
        if m.to == [SAMIR]
        and m.subject.endswith(f"Enquête de fin d'année {annee} : votre compte-rendu d'activité de RUPN")
    ]
    assert (
        Participation.objects.get(enquete=enquete, designation__agent__email=SAMIR).get_absolute_url()
        in invitation.body
    )
    verifier_page(page, "DANE — enquête de l'année")
    capturer(page, "enquete-dane-lancee")
    return enquete


def rupn_note_son_journal(samir):
    menu(samir, "Journal d'activités")
    verifier_page(samir, "RUPN — journal d'activités")
    saisie = samir.get_by_role("form", name="Noter une activité")
    for categorie, personnes, duree, description in ENTREES:
        saisie.get_by_label("Catégorie").select_option(label=categorie.label)
        saisie.get_by_label("Personnes touchées").fill(personnes)
        saisie.get_by_label("Durée (heures)").fill(duree)
        saisie.get_by_label("Description").fill(description)
        cliquer(samir, saisie.get_by_role("button", name="Ajouter au journal"))
        assert f"Entrée ajoutée au journal : {categorie.label}" in message_succes(samir)
        saisie = samir.get_by_role("form", name="Noter une activité")
    texte = samir.locator("main").inner_text()
    assert all(description in texte for *_, description in ENTREES)
    verifier_page(samir, "RUPN — journal après trois entrées")


def rupn_premiere_seance(samir, participation, compte):
    """Première séance : l'étape 1, puis l'étape « Accompagnement des collègues », préremplie par le journal ;
    l'enregistrement automatique garde tout, sans bouton."""
    menu(samir, "Enquête de fin d'année")
    verifier_page(samir, "RUPN — mes enquêtes")
    ligne = ligne_de(samir, "Mes enquêtes de fin d'année", participation.designation.etablissement.nom)
    assert "à remplir" in ligne.inner_text().lower()  # le badge est en capitales (CSS)
    cliquer(samir, ligne.get_by_role("link", name=re.compile("^Commencer")))
    assert urlsplit(samir.url).path == participation.get_absolute_url()
    verifier_page(samir, "RUPN — compte-rendu à commencer")
    cliquer(samir, samir.get_by_role("link", name="Commencer", exact=True))
    assert etape_courante(samir) == 1
    assert samir.get_by_text("Étape 1 sur 8").is_visible()

    # Une valeur refusée : l'enregistrement automatique la signale sous son champ, comme le rendu serveur.
    anciennete = samir.get_by_label("Depuis combien d'années êtes-vous RUPN ?")
    anciennete.fill("quatre")
    anciennete.blur()
    expect(samir.locator("#enregistrement-etat")).to_have_text(re.compile("une réponse à corriger"))
    erreur = samir.locator("#q-anciennete_rupn-erreur")
    expect(erreur).to_have_class("fr-error-text")
    expect(erreur).not_to_be_empty()
    expect(anciennete).to_have_attribute("aria-invalid", "true")
    expect(anciennete).to_have_attribute("aria-describedby", "q-anciennete_rupn-erreur")
    expect(samir.locator(".fr-input-group--error")).to_have_count(1)
    verifier_page(samir, "RUPN — réponse refusée par l'enregistrement automatique")
    anciennete.fill("4")
    samir.get_by_label("Quelle discipline enseignez-vous ?").fill("Sciences de la vie et de la Terre")
    attendre_enregistrement(samir)
    expect(erreur).to_have_count(0)  # corrigée : le message et l'état d'erreur disparaissent
    expect(anciennete).not_to_have_attribute("aria-invalid", "true")
    expect(samir.locator(".fr-input-group--error")).to_have_count(0)
    # Sans quitter le champ : l'enregistrement part trois secondes après la dernière frappe.
    heures = samir.get_by_label("Combien d'heures par semaine consacrez-vous en moyenne à la mission ?")
    with samir.expect_response(
        lambda reponse: reponse.request.method == "POST" and reponse.request.resource_type == "fetch", timeout=30_000
    ) as enregistrement:
        heures.fill("3,5")
        frappe = time.monotonic()
    assert time.monotonic() - frappe >= 2.5, "enregistré avant le délai de trois secondes"
    assert enregistrement.value.json()["enregistre"] is True
    expect(samir.locator("#enregistrement-etat")).to_have_text(re.compile(r"^Enregistré à \d\d:\d\d\.$"))
    expect(heures).to_be_focused()
    samir.envois.attendre(samir)
    verifier_page(samir, "RUPN — étape 1 enregistrée")
    capturer(samir, "enquete-etape-1")

    # Le fil d'Ariane ramène au compte-rendu, qui mène à chaque étape. Une saisie suivie aussitôt d'un clic sur
    # un lien n'est pas perdue : elle part en quittant le champ (keepalive) ; tant qu'elle n'est pas enregistrée,
    # quitter la page demande confirmation (beforeunload, acceptée ici).
    samir.get_by_label("Quelle discipline enseignez-vous ?").fill("SVT")
    dialogues = []

    def accepter(dialogue):
        dialogues.append(dialogue.type)
        dialogue.accept()

    samir.on("dialog", accepter)
    cliquer(samir, samir.locator(".fr-breadcrumb").get_by_role("link", name=re.compile("^Compte-rendu ")))
    samir.remove_listener("dialog", accepter)
    assert set(dialogues) <= {"beforeunload"}, dialogues
    limite = time.monotonic() + 10
    while participation.reponses.filter(question__code="discipline", valeur="SVT").count() != 1:
        assert time.monotonic() < limite, "la saisie suivie d'un clic sur un lien est perdue"
        time.sleep(0.2)
    assert "Votre profil — complète" in samir.locator("main").inner_text()
    cliquer(samir, samir.get_by_role("link", name="Accompagnement des collègues", exact=True))
    assert etape_courante(samir) == 3
    for code, valeur in (
        ("accompagnements", compte[Activite.Categorie.ACCOMPAGNEMENT].entrees),
        ("formations_animees", compte[Activite.Categorie.FORMATION].entrees),
        ("personnes_touchees", sum(bilan.personnes for bilan in compte.values())),
    ):
        expect(samir.locator(f"#q-{code}")).to_have_value(str(valeur))
        proposition = samir.locator(f"#q-{code}-proposition").inner_text()
        assert f"Valeur proposée d'après votre journal d'activités : {valeur}." in proposition, proposition
    verifier_page(samir, "RUPN — étape préremplie par le journal")
    capturer(samir, "enquete-etape-3-preremplie")

    samir.get_by_label("Quels sont les besoins des collègues qui reviennent le plus souvent ?").fill(BESOINS)
    choisir(samir, "satisfaction_collegues", "4")
    attendre_enregistrement(samir)
    verifier_page(samir, "RUPN — étape 3 enregistrée")


def rupn_seconde_seance(samir, participation, compte):
    """Nouvelle séance : reprise à la première étape incomplète (la 2), les obligatoires, le récapitulatif, l'envoi."""
    menu(samir, "Enquête de fin d'année")
    ligne = ligne_de(samir, "Mes enquêtes de fin d'année", participation.designation.etablissement.nom)
    cliquer(samir, ligne.get_by_role("link", name=re.compile("^Reprendre")))
    verifier_page(samir, "RUPN — compte-rendu commencé")
    cliquer(samir, samir.get_by_role("link", name="Reprendre à l'étape 2"))
    assert etape_courante(samir) == 2

    choisir(samir, "canaux_information", "Lettre d'information de la DANE")
    choisir(samir, "canaux_information", "Réunions de bassin")
    choisir(samir, "information_suffisante", "4")
    choisir(samir, "veille_partagee", "Souvent")
    attendre_enregistrement(samir)
    continuer(samir)

    # L'étape 3 garde ce que la première séance a enregistré ; la valeur du journal n'est plus une proposition.
    assert etape_courante(samir) == 3
    expect(samir.locator("#q-accompagnements")).to_have_value(str(compte[Activite.Categorie.ACCOMPAGNEMENT].entrees))
    expect(samir.locator("#q-besoins_collegues")).to_have_value(BESOINS)
    expect(samir.locator("#q-accompagnements-proposition")).to_have_count(0)
    continuer(samir)

    while etape_courante(samir) < 7:  # rien d'obligatoire aux étapes 4 à 6
        continuer(samir)
    assert samir.get_by_text("Étape 7 sur 8").is_visible()
    choisir(samir, "poursuite_mission", "Oui")
    attendre_enregistrement(samir)
    continuer(samir)

    assert etape_courante(samir) == 8
    samir.get_by_label("En une phrase, votre bilan de l'année.").fill(BILAN)
    attendre_enregistrement(samir)
    verifier_page(samir, "RUPN — étape 8")
    continuer(samir)

    assert urlsplit(samir.url).path == reverse("enquetes:participation_recapitulatif", args=[participation.uuid])
    assert samir.locator(".fr-alert--warning").count() == 0, "des obligatoires manquent au récapitulatif"
    texte = samir.locator("main").inner_text()
    for attendu in (BILAN, BESOINS, "Lettre d'information de la DANE, Réunions de bassin", "4 sur 5", "3,5"):
        assert attendu in texte, attendu
    verifier_page(samir, "RUPN — récapitulatif")
    capturer(samir, "enquete-recapitulatif")

    samir.once("dialog", lambda dialogue: dialogue.accept())
    cliquer(samir, samir.get_by_role("button", name="Envoyer mon compte-rendu"))
    assert "Votre compte-rendu est envoyé : la direction de l'établissement en est prévenue" in message_succes(samir)
    assert urlsplit(samir.url).path == participation.get_absolute_url()
    verifier_page(samir, "RUPN — compte-rendu envoyé")


def chef_prend_connaissance(chef, participation):
    connecter(chef, CHEF_LYCEE)
    menu(chef, "Comptes-rendus des RUPN")
    verifier_page(chef, "chef — comptes-rendus")
    ligne = ligne_de(chef, re.compile("^Comptes-rendus des RUPN"), "Samir Haddad")
    assert "à lire" in ligne.inner_text().lower()
    cliquer(chef, ligne.get_by_role("link", name="Samir Haddad"))
    assert urlsplit(chef.url).path == participation.get_absolute_url()
    texte = chef.locator("main").inner_text()
    assert BILAN in texte and "Journal d'activités de la mission, par catégorie" in chef.content()
    verifier_page(chef, "chef — compte-rendu")
    capturer(chef, "enquete-compte-rendu-chef")

    telechargement, octets = telecharger(chef, chef.get_by_role("link", name="Télécharger le compte-rendu (PDF)"))
    assert octets.startswith(b"%PDF"), octets[:20]
    assert telechargement.suggested_filename.startswith("compte-rendu-")
    assert telechargement.suggested_filename.endswith(".pdf")

    chef.get_by_label("Commentaire pour le RUPN (facultatif)").fill(COMMENTAIRE_CHEF)
    cliquer(chef, chef.get_by_role("button", name="J'ai pris connaissance du compte-rendu"))
    assert "Votre prise de connaissance est enregistrée ; le RUPN en est prévenu par courriel." in message_succes(chef)
    texte = chef.locator("main").inner_text()
    assert "Paul Chevalier a pris connaissance de ce compte-rendu" in texte
    assert COMMENTAIRE_CHEF in texte
    verifier_page(chef, "chef — compte-rendu lu")
    assert [m for m in mail.outbox if m.to == [SAMIR] and "est lu par la direction" in m.subject]


def dane_analyse_et_exporte(page, enquete):
    url_analyse = reverse("enquetes:enquete_analyse", args=[enquete.uuid])
    aller(page, enquete.get_absolute_url(), "DANE — enquête, une réponse envoyée")
    lien = page.locator(f'main a[href^="{url_analyse}"]')
    if lien.count():
        cliquer(page, lien.first)
    else:  # pas encore de lien vers l'analyse sur la page de l'enquête : son adresse
        assert page.goto(url_analyse).status == 200
    assert urlsplit(page.url).path == url_analyse
    participations = enquete.participations.count()
    statut = page.locator(".rupn-entete-liste [role=status]").inner_text()
    assert f"1 participation envoyée sur {participations} : taux de réponse de" in statut, statut
    assert page.get_by_role("heading", name="Taux de réponse", exact=True).is_visible()
    # Une question à choix unique et son tableau de données : « Oui », une réponse sur une (celle de Samir).
    poursuite = page.locator("#question-poursuite_mission")
    assert enquete.questions.get(code="poursuite_mission").libelle in poursuite.inner_text()
    oui = poursuite.get_by_role("table", name="Répartition des réponses").get_by_role("row", name=re.compile("^Oui"))
    assert re.fullmatch(r"Oui\s+1\s+100,0\s%.*", oui.inner_text().strip(), re.S), oui.inner_text()
    # Une échelle : sa moyenne ; un texte libre : listé.
    echelle = page.locator("#question-information_suffisante").get_by_role("table", name="Répartition des notes")
    assert "4,00 sur 5" in echelle.inner_text()
    assert BILAN in page.locator("#question-bilan_annee").inner_text()
    verifier_page(page, "DANE — analyse")
    capturer(page, "enquete-analyse")

    codes = list(
        enquete.questions.filter(masquee=False).order_by("section__ordre", "ordre").values_list("code", flat=True)
    )
    _, octets = telecharger(page, page.locator('a[href*="reponses.csv"]').first)
    lignes = lire_csv(octets.decode("utf-8"))
    assert set(codes) <= set(lignes[0]), sorted(set(codes) - set(lignes[0]))
    (samir,) = [ligne for ligne in lignes if any("Haddad" in str(valeur) for valeur in ligne.values())]
    assert samir["bilan_annee"] == BILAN
    assert samir["poursuite_mission"] == "Oui"
    assert len(lignes) == Participation.objects.filter(enquete=enquete, statut=Participation.Statut.SOUMISE).count()

    _, octets = telecharger(page, page.locator('a[href*="reponses.xlsx"]').first)
    classeur = load_workbook(BytesIO(octets), read_only=True)
    try:
        entete, *suite = list(classeur.active.iter_rows(values_only=True))
    finally:
        classeur.close()
    assert set(codes) <= set(entete), sorted(set(codes) - set(entete))
    assert len(suite) == len(lignes)
    assert BILAN in suite[0]
    verifier_page(page, "DANE — analyse après les exports")


# --- Le parcours ----------------------------------------------------------------------------------------


def test_creer_remplir_lire_analyser(page, navigateur, demo):
    debut = time.monotonic()
    annee = AnneeScolaire.objects.courante()
    assert not Enquete.objects.exists(), "la démonstration ne crée pas d'enquête"
    designation = Designation.objects.get(
        agent__email=SAMIR, annee=annee, statut__in=STATUTS_PARTICIPANTS, etablissement=etablissements_demo()["B"]
    )

    # 1. La DANE crée l'enquête de l'année depuis l'enquête par défaut et lance la campagne.
    enquete = dane_cree_et_lance(page, annee)
    participation = Participation.objects.get(enquete=enquete, designation=designation)
    assert participation.statut == Participation.Statut.A_FAIRE

    # 2. Samir note trois activités, commence l'enquête, puis ferme l'onglet.
    samir = onglet_suivi(navigateur, demo)
    connecter(samir, SAMIR)
    rupn_note_son_journal(samir)
    compte = resume_du_journal(designation)
    premiere_seance = time.monotonic()
    rupn_premiere_seance(samir, participation, compte)
    samir.context.close()
    participation.refresh_from_db()
    assert participation.statut == Participation.Statut.EN_COURS
    reponses = dict(participation.reponses.values_list("question__code", "valeur"))
    assert reponses["besoins_collegues"] == BESOINS
    assert str(reponses["accompagnements"]) == str(compte[Activite.Categorie.ACCOMPAGNEMENT].entrees)
    assert not any(code in reponses for code in ("canaux_information", "poursuite_mission"))
    print(f"\npremière séance de saisie : {time.monotonic() - premiere_seance:.1f} s")

    # Nouvelle séance, nouvelle connexion : reprise, fin de la saisie, envoi.
    samir = onglet_suivi(navigateur, demo)
    connecter(samir, SAMIR)
    rupn_seconde_seance(samir, participation, compte)
    participation.refresh_from_db()
    assert participation.statut == Participation.Statut.SOUMISE
    assert participation.reponses.get(question__code="bilan_annee").valeur == BILAN
    assert [m for m in mail.outbox if CHEF_LYCEE in m.to and "Compte-rendu d'activité" in m.subject]

    # 3. Le chef du lycée B lit le compte-rendu, le télécharge et en prend connaissance.
    chef = nouvel_onglet(navigateur, demo)
    chef_prend_connaissance(chef, participation)
    participation.refresh_from_db()
    assert participation.lue_par.email == CHEF_LYCEE
    assert participation.commentaire_direction == COMMENTAIRE_CHEF

    # Samir voit la lecture de la direction sur son compte-rendu, désormais en lecture seule.
    samir.reload()
    assert COMMENTAIRE_CHEF in samir.locator("main").inner_text()
    verifier_page(samir, "RUPN — compte-rendu lu")
    aller(samir, reverse("enquetes:participation_etape", args=[participation.uuid, 1]), "RUPN — étape envoyée")
    expect(samir.locator("#q-anciennete_rupn")).to_be_disabled()
    expect(samir.get_by_role("button", name="Enregistrer et continuer")).to_have_count(0)

    # 4. La DANE lit l'analyse et exporte les réponses.
    dane_analyse_et_exporte(page, enquete)

    for onglet in (samir, chef):
        onglet.context.close()
    print(f"parcours de l'enquête : {time.monotonic() - debut:.1f} s")
