"""Le parcours des désignations dans Chromium, sur la démonstration : le chef du collège désigne deux
RUPN à des taux différents ; l'une accepte par le lien du courriel, l'autre refuse ; la DANE valide,
consulte la couverture et télécharge le fichier de paiement. axe-core et la console sur chaque page."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from missions.models import Designation
from rupn.pilotage.demo import etablissements_demo
from rupn.territoires.models import AnneeScolaire, Etablissement
from tests.conftest import lire_csv, montant_csv
from tests.navigateur.outils import Journal, aller, capturer, connecter, verifier_page
from tests.navigateur.test_parcours import activer_totp_demo, cliquer

pytestmark = pytest.mark.navigateur


def designer(page, email, prenom, nom, taux):
    aller(page, "/designations/", "chef — désignations")
    cliquer(page, page.get_by_role("link", name="Désigner un RUPN"))
    verifier_page(page, "chef — désigner un RUPN")
    page.get_by_label("Ou adresse électronique").fill(email)
    page.locator('input[name="first_name"]').fill(prenom)
    page.locator('input[name="last_name"]').fill(nom)
    page.get_by_label("Taux d'IMP").select_option(label=taux)
    cliquer(page, page.get_by_role("button", name="Proposer la désignation"))
    assert f"La désignation est proposée à {email}" in page.locator(".fr-alert--success").inner_text()
    verifier_page(page, f"chef — désignation de {prenom} {nom}")


def lien_recu(email):
    (message,) = [m for m in mail.outbox if m.to == [email]]
    return re.search(r"https?://\S+/designations/reponse/\S+/", message.body).group(0)


def test_designer_accepter_refuser_valider_exporter(page, navigateur, demo):
    college = etablissements_demo()["A"]
    mail.outbox.clear()

    # Le chef du collège désigne deux personnes qui n'ont pas encore de compte.
    connecter(page, "chef@demo.rupn.example")
    designer(page, "lea.nouvelle@ac-toulouse.fr", "Léa", "Nouvelle", "1 250 € par an")
    designer(page, "hugo.refus@ac-toulouse.fr", "Hugo", "Refus", "625 € par an")
    capturer(page, "designation-fiche-chef")

    # Chacune répond par le lien du courriel, dans un navigateur où personne n'est connecté.
    anonyme = navigateur.new_context(locale="fr-FR", base_url=demo.url).new_page()
    anonyme.journal = Journal(anonyme)
    anonyme.goto(lien_recu("lea.nouvelle@ac-toulouse.fr"))
    verifier_page(anonyme, "réponse par le lien")
    anonyme.get_by_label("Choisissez un mot de passe").fill("Un-mot-de-passe-solide-42")
    anonyme.get_by_label("Confirmez le mot de passe").fill("Un-mot-de-passe-solide-42")
    cliquer(anonyme, anonyme.get_by_role("button", name="J'accepte la mission"))
    assert "vous êtes RUPN de" in anonyme.locator(".fr-alert--success").inner_text()
    verifier_page(anonyme, "accord enregistré")

    anonyme.goto(lien_recu("hugo.refus@ac-toulouse.fr"))
    anonyme.get_by_label("Motif du refus").fill("Je prépare l'agrégation cette année.")
    cliquer(anonyme, anonyme.get_by_role("button", name="Je refuse la mission"))
    assert "refus" in anonyme.locator(".fr-alert--success").inner_text()
    anonyme.context.close()

    designations = {d.agent.email: d for d in Designation.objects.filter(etablissement=college)}
    assert designations["lea.nouvelle@ac-toulouse.fr"].statut == "acceptee"
    assert designations["hugo.refus@ac-toulouse.fr"].statut == "refusee"
    aller(page, "/designations/", "chef — désignations après les réponses")
    assert "Je prépare l'agrégation" in mail.outbox[-1].body

    # La DANE valide la désignation acceptée, voit la couverture et exporte l'échéancier.
    page.context.clear_cookies()
    activer_totp_demo("dane@demo.rupn.example")
    connecter(page, "dane@demo.rupn.example")
    aller(page, f"/academie/designations/?q={college.uai}", "DANE — désignations du collège")
    case = page.get_by_label(re.compile("Valider la désignation de Léa Nouvelle"))
    case.focus()
    page.keyboard.press("Space")  # au clavier : le libellé du DSFR recouvre la case pour la souris
    assert case.is_checked()
    cliquer(page, page.get_by_role("button", name="Valider la sélection"))
    assert "1 désignation validée" in page.locator(".fr-alert--success").inner_text()
    verifier_page(page, "DANE — après validation")
    designations["lea.nouvelle@ac-toulouse.fr"].refresh_from_db()
    assert designations["lea.nouvelle@ac-toulouse.fr"].statut == "validee"

    aller(page, "/academie/couverture/", "DANE — couverture")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Établissements sans RUPN")
    couverts = Designation.objects.filter(
        annee=AnneeScolaire.objects.courante(), statut__in=Designation.STATUTS_ACCEPTES
    ).values("etablissement")
    sans_rupn = Etablissement.objects.filter(academie=college.academie, ouvert=True).exclude(pk__in=couverts)
    assert not sans_rupn.filter(pk=college.pk).exists()
    compte = page.locator('p[role="status"] strong').inner_text().replace("\u202f", "").replace("\xa0", "")
    assert int(compte) == sans_rupn.count()
    capturer(page, "couverture-dane")

    aller(page, f"/academie/designations/?q={college.uai}", "DANE — désignations validées")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Échéancier des IMP en CSV").click()
    contenu = telechargement.value.path().read_text(encoding="utf-8-sig")
    lignes = lire_csv(contenu)
    montants = [montant_csv(ligne["Montant (€)"]) for ligne in lignes]
    assert len(lignes) == 9 and sum(montants) == Decimal("1250.00")
