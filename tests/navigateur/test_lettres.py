"""Le parcours des lettres de mission dans Chromium, sur la démonstration : le chef du collège A rédige la
lettre de l'année de sa RUPN, qui la commente et l'approuve ; le chef la corrige et la renvoie, elle
l'approuve de nouveau et la signe pour accord ; le chef confirme son mot de passe (authentification trop
ancienne), signe et scelle la lettre, télécharge le PDF signé. Dans un navigateur anonyme, la page publique
reconnaît la lettre par son code, par son code QR et par son PDF, et refuse une copie modifiée d'un octet.
axe-core et la console sur chaque page."""

import importlib
import re
import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from pyhanko.pdf_utils.reader import PdfFileReader

from lettres.document import url_verification
from lettres.models import LettreMission, Signature
from lettres.sceau import verifier_sceau
from missions.models import Designation, TauxIMP
from missions.services import designation_accepter, designation_proposer
from rupn.comptes.models import Utilisateur
from rupn.courriels import url_du_site
from rupn.pilotage.demo import MOT_DE_PASSE, etablissements_demo
from rupn.territoires.models import AnneeScolaire
from tests.navigateur.conftest import nouvel_onglet
from tests.navigateur.outils import aller, capturer, connecter, verifier_page
from tests.navigateur.test_parcours import cliquer

pytestmark = pytest.mark.navigateur

CHEF = "chef@demo.rupn.example"
JULIE = "rupn@demo.rupn.example"
INDICATEUR_AJOUTE = "Nombre de tutoriels publiés sur l'ENT pour les enseignants."
COMMENTAIRE = "Pourriez-vous ajouter l'accompagnement des stagiaires à l'axe 2 ?"
MISSION_AJOUTEE = "Accompagner les professeurs stagiaires dans leurs premiers usages de l'ENT."


def designer_julie(college, annee):
    """La désignation de l'année de Julie Garnier au collège A, proposée par le chef et acceptée, par les
    services (comme la démonstration) : le parcours des désignations a son propre test."""
    chef, julie = Utilisateur.objects.get(email=CHEF), Utilisateur.objects.get(email=JULIE)
    taux = TauxIMP.objects.autorises(college.academie, annee).filter(montant=Decimal("1250")).first()
    designation = designation_proposer(
        designation=Designation(
            etablissement=college, annee=annee, agent=julie, debut=annee.debut, fin=annee.fin, taux=taux
        ),
        par=chef,
        url_absolue=url_du_site,
    )
    return designation_accepter(designation=designation, par=julie, url_absolue=url_du_site)


def menu(page, libelle):
    cliquer(page, page.locator("#navigation-principale").get_by_role("link", name=libelle, exact=True))


def cocher_au_clavier(page, case):
    """Le libellé du DSFR recouvre la case pour la souris : on la coche au clavier, comme on le ferait sans souris."""
    case.focus()
    page.keyboard.press("Space")
    assert case.is_checked()


def choisir(page, mission, choix):
    """Le sort d'une mission suggérée : un clic sur le libellé du bouton radio, comme à la souris."""
    groupe = page.get_by_role("group", name=mission)
    groupe.locator("label", has_text=re.compile(f"^{choix}$")).click()
    assert groupe.get_by_label(choix, exact=True).is_checked()


def message_succes(page):
    return page.locator(".fr-alert--success").inner_text()


def vieillir_authentification(page, secondes):
    """Recule l'heure des authentifications qu'allauth a notées dans la session du navigateur."""
    (cle,) = [c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = importlib.import_module(settings.SESSION_ENGINE).SessionStore(session_key=cle)
    enregistrements = session["account_authentication_methods"]
    assert enregistrements, "aucune authentification notée dans la session"
    session["account_authentication_methods"] = [{**e, "at": e["at"] - secondes} for e in enregistrements]
    session.save()


def copie_modifiee(octets):
    """Le PDF dont un octet, au milieu du fichier, a changé : dans les données d'un flux (texte, polices,
    images) que le sceau couvre, pas dans la structure du fichier, qui reste lisible."""
    milieu = len(octets) // 2
    flux = [(m.end(), octets.index(b"endstream", m.end())) for m in re.finditer(rb"(?<!end)stream\r?\n", octets)]
    debut, fin = next((debut, fin) for debut, fin in flux if fin > milieu)  # le flux du milieu, ou le suivant
    position = max(debut, milieu)
    assert position < fin
    return octets[:position] + bytes([octets[position] ^ 0x01]) + octets[position + 1 :]


def verifier_verdict(page, titre):
    assert page.locator("#titre-resultat").inner_text() == titre
    assert "demo.rupn.example" not in page.content(), "une adresse électronique sur la page publique"


def test_rediger_relire_signer_sceller_verifier(page, navigateur, demo):
    debut = time.monotonic()
    college = etablissements_demo()["A"]
    annee = AnneeScolaire.objects.courante()
    assert not LettreMission.objects.filter(etablissement=college, annee=annee).exists()
    designer_julie(college, annee)

    # Le chef rédige la lettre de l'année pour la désignation de Julie Garnier.
    connecter(page, CHEF)
    menu(page, "Lettres de mission")
    verifier_page(page, "chef — lettres de mission")
    cliquer(page, page.get_by_role("link", name=f"Rédiger une lettre de mission pour {annee}"))
    verifier_page(page, "chef — nouvelle lettre")
    cocher_au_clavier(page, page.get_by_label(re.compile("^Julie Garnier — ")))
    cliquer(page, page.get_by_role("button", name="Créer la lettre"))
    assert f"La lettre de mission {annee} est créée" in message_succes(page)
    verifier_page(page, "chef — rédaction de la lettre")

    lettre = LettreMission.objects.get(etablissement=college, annee=annee)
    for axe in lettre.contenu["axes"]:
        premiere, seconde = axe["missions"][:2]
        choisir(page, premiere["texte"], "Principale")
        choisir(page, seconde["texte"], "Secondaire")
    indicateurs = page.get_by_role("region", name=re.compile("^Axe 1 —")).get_by_label("Indicateurs")
    indicateurs.fill(f"{indicateurs.input_value()}\n{INDICATEUR_AJOUTE}")
    cliquer(page, page.get_by_role("button", name="Enregistrer"))
    assert "Lettre enregistrée (révision" in message_succes(page)
    apercu = page.get_by_role("article", name="Aperçu de la lettre de mission")
    for axe in lettre.contenu["axes"]:
        assert axe["missions"][0]["texte"] in apercu.inner_text()
    assert INDICATEUR_AJOUTE in apercu.inner_text()
    assert lettre.contenu["axes"][0]["missions"][2]["texte"] not in apercu.inner_text()  # non retenue
    verifier_page(page, "chef — aperçu du brouillon")
    cliquer(page, page.get_by_role("button", name="Envoyer en relecture"))
    assert "La lettre est envoyée en relecture à Julie Garnier" in message_succes(page)
    url_lettre = urlsplit(page.url).path

    # Julie, dans son propre navigateur, commente puis approuve.
    julie = nouvel_onglet(navigateur, demo)
    connecter(julie, JULIE)
    menu(julie, "Mes lettres de mission")
    verifier_page(julie, "RUPN — mes lettres")
    ligne = julie.get_by_role("row").filter(has_text=str(annee))
    assert "en relecture" in ligne.inner_text().lower()  # le badge est en capitales (CSS)
    cliquer(julie, ligne.get_by_role("link", name=college.nom))
    assert urlsplit(julie.url).path == url_lettre
    verifier_page(julie, "RUPN — lettre en relecture")
    julie.get_by_label("Votre commentaire").fill(COMMENTAIRE)
    cliquer(julie, julie.get_by_role("button", name="Publier le commentaire"))
    assert "Votre commentaire est ajouté" in message_succes(julie)
    assert COMMENTAIRE in julie.get_by_role("region", name="Fil de relecture").inner_text()
    cliquer(julie, julie.get_by_role("button", name="J'approuve cette version de la lettre"))
    assert "la lettre est prête à signer" in message_succes(julie)

    # Le chef tient compte du commentaire : la lettre repasse en brouillon, il la renvoie en relecture.
    page.reload()
    assert COMMENTAIRE in page.get_by_role("region", name="Fil de relecture").inner_text()
    cliquer(page, page.get_by_role("link", name="Modifier la lettre"))
    page.get_by_role("region", name=re.compile("^Axe 2 —")).get_by_label("Missions principales ajoutées").fill(
        MISSION_AJOUTEE
    )
    cliquer(page, page.get_by_role("button", name="Enregistrer"))
    assert "repasse en brouillon" in page.locator(".fr-alert--warning").inner_text()
    assert MISSION_AJOUTEE in page.get_by_role("article", name="Aperçu de la lettre de mission").inner_text()
    cliquer(page, page.get_by_role("button", name="Envoyer en relecture"))
    assert "envoyée en relecture" in message_succes(page)

    # Julie approuve la nouvelle version, puis signe pour accord (elle vient de se connecter).
    julie.reload()
    assert "(version antérieure)" in julie.get_by_role("region", name="Fil de relecture").inner_text()
    cliquer(julie, julie.get_by_role("button", name="J'approuve cette version de la lettre"))
    assert "la lettre est prête à signer" in message_succes(julie)
    cliquer(julie, julie.get_by_role("link", name="Signer pour accord"))
    verifier_page(julie, "RUPN — page de signature")
    assert MISSION_AJOUTEE in julie.get_by_role("article", name="Texte de la lettre de mission").inner_text()
    cocher_au_clavier(julie, julie.get_by_label(re.compile("je la signe pour accord")))
    cliquer(julie, julie.get_by_role("button", name="Signer pour accord"))
    assert "Vous avez signé pour accord. La direction est prévenue" in message_succes(julie)

    # Le chef s'est connecté il y a plus de cinq minutes (simulé) : il confirme son mot de passe pour signer.
    vieillir_authentification(page, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 300)
    page.reload()
    cliquer(page, page.get_by_role("link", name="Signer et sceller la lettre"))
    assert urlsplit(page.url).path == "/comptes/reauthenticate/", page.url
    assert "confirmez votre identité" in page.locator(".fr-alert--info").inner_text()
    verifier_page(page, "chef — confirmation du mot de passe")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    cliquer(page, page.get_by_role("button", name="Confirmer"))
    assert urlsplit(page.url).path == f"{url_lettre}signer/", page.url
    verifier_page(page, "chef — page de signature")
    cocher_au_clavier(page, page.get_by_label(re.compile("je la signe en qualité de chef d.établissement")))
    cliquer(page, page.get_by_role("button", name="Signer et sceller la lettre"))
    assert "la lettre est scellée" in message_succes(page)
    verifier_page(page, "chef — lettre scellée")
    capturer(page, "lettre-scellee-chef")
    lettre.refresh_from_db()
    assert lettre.statut == LettreMission.Statut.SCELLEE
    assert {(s.signataire.email, s.qualite) for s in lettre.signatures_valides()} == {
        (JULIE, Signature.Qualite.RUPN),
        (CHEF, Signature.Qualite.CHEF),
    }
    signature_chef = lettre.signatures.get(signataire__email=CHEF)
    assert signature_chef.methode_authentification == Signature.Methode.MOT_DE_PASSE
    code = re.search(r"Code de vérification : ([A-Z0-9]{12})", page.locator("main").inner_text()).group(1)
    assert code == lettre.code_verification

    # Le PDF téléchargé est signé : son sceau est celui de l'académie et couvre tout le fichier.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le PDF signé").click()
    assert code in telechargement.value.suggested_filename
    chemin_pdf = Path(telechargement.value.path())
    octets = chemin_pdf.read_bytes()
    assert octets.startswith(b"%PDF-")
    (sceau,) = PdfFileReader(BytesIO(octets)).embedded_signatures
    assert sceau.field_name == "Sceau"
    resultat = verifier_sceau(octets)
    assert resultat.valide and resultat.intact, resultat.motif_refus

    # La page publique, dans un navigateur où personne n'est connecté.
    anonyme = nouvel_onglet(navigateur, demo)
    aller(anonyme, "/verifier/", "vérification publique")
    anonyme.get_by_role("textbox", name="Code de vérification").fill(f"{code[:4]} {code[4:8]}-{code[8:].lower()}")
    cliquer(anonyme, anonyme.get_by_role("button", name="Vérifier le code"))
    assert urlsplit(anonyme.url).path == f"/verifier/{code}/"
    verifier_verdict(anonyme, "Lettre valide")
    texte = anonyme.locator("main").inner_text()
    assert college.nom in texte and str(annee) in texte
    signataires = anonyme.get_by_role("table", name="Signataires").inner_text()
    assert "Julie Garnier" in signataires and "Hélène Roussel" in signataires
    verifier_page(anonyme, "vérification par le code")
    capturer(anonyme, "verification-code")

    # L'adresse du code QR du PDF mène à la même page.
    adresse_qr = urlsplit(url_verification(lettre)).path
    assert adresse_qr == f"/verifier/{code}/"
    aller(anonyme, adresse_qr, "vérification par le code QR")
    verifier_verdict(anonyme, "Lettre valide")

    # Le PDF reçu est reconnu ; une copie dont un octet a changé est refusée.
    anonyme.get_by_label("PDF de la lettre de mission").set_input_files(chemin_pdf)
    cliquer(anonyme, anonyme.get_by_role("button", name="Vérifier le fichier"))
    verifier_verdict(anonyme, "Lettre valide")
    assert "identique, octet par octet" in anonyme.locator("main").inner_text()
    verifier_page(anonyme, "vérification par le fichier")

    modifie = copie_modifiee(octets)
    assert not verifier_sceau(modifie).intact
    anonyme.get_by_label("PDF de la lettre de mission").set_input_files(
        {"name": chemin_pdf.name, "mimeType": "application/pdf", "buffer": modifie}
    )
    cliquer(anonyme, anonyme.get_by_role("button", name="Vérifier le fichier"))
    verifier_verdict(anonyme, "Fichier modifié : il ne fait pas foi")
    verifier_page(anonyme, "vérification d'une copie modifiée")
    capturer(anonyme, "verification-copie-modifiee")

    for onglet in (julie, anonyme):
        onglet.context.close()
    print(f"\nparcours des lettres : {time.monotonic() - debut:.1f} s")
