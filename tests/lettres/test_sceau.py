"""Sceau PAdES des lettres et commande creer_certificat_sceau."""

import asyncio
import os
import re
import shlex
import stat
import time
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from lettres.management.commands.creer_certificat_sceau import Command as CreerCertificat
from lettres.pdf import rendre_pdf
from lettres.sceau import SceauIndisponible, sceller, verifier_sceau
from tests.lettres.conftest import NOM_ACADEMIE, configurer_sceau, creer_certificat

MODIFIE = "Le document a été modifié après son scellement."
ILLISIBLE = "Ce fichier ne se lit pas comme un PDF scellé : il est endommagé, modifié, ou d'un autre format."


@pytest.fixture(scope="module")
def pdf():
    return rendre_pdf('<html lang="fr"><head><title>Lettre</title></head><body><p>Lettre de mission</p></body></html>')


@pytest.fixture
def pdf_scelle(pdf):
    return sceller(pdf, motif="Lettre de mission 2025-2026 signée", lieu="Toulouse")


def plages_signees(pdf_scelle):
    debut, fin_1, debut_2, longueur_2 = map(
        int, re.search(rb"/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)", pdf_scelle).groups()
    )
    return range(debut, fin_1), range(debut_2, debut_2 + longueur_2)


def test_un_pdf_scelle_est_valide_et_garde_ses_octets_d_origine(pdf, pdf_scelle):
    avant = timezone.now()

    resultat = verifier_sceau(pdf_scelle)

    assert (resultat.valide, resultat.intact, resultat.motif_refus) == (True, True, "")
    assert resultat.signataire == NOM_ACADEMIE
    assert avant - timedelta(minutes=1) < resultat.signe_le <= timezone.now()
    assert pdf_scelle.startswith(pdf)  # mise à jour incrémentale : le PDF/A d'origine est intact
    (sceau,) = PdfFileReader(BytesIO(pdf_scelle)).embedded_signatures
    assert sceau.sig_object["/Reason"] == "Lettre de mission 2025-2026 signée"
    assert sceau.sig_object["/Location"] == "Toulouse"
    assert sceau.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sceau.docmdp_level.name == "NO_CHANGES"


def test_un_octet_modifie_dans_la_partie_signee_est_detecte(pdf_scelle):
    position = 10  # commentaire binaire de l'en-tête : le fichier reste lisible, son empreinte change
    premiere_plage, _ = plages_signees(pdf_scelle)
    assert position in premiere_plage
    modifie = bytearray(pdf_scelle)
    modifie[position] ^= 0x01

    resultat = verifier_sceau(bytes(modifie))

    assert (resultat.valide, resultat.intact, resultat.motif_refus) == (False, False, MODIFIE)
    assert resultat.signataire == NOM_ACADEMIE


def test_un_octet_modifie_qui_rend_le_fichier_illisible_est_refuse(pdf_scelle):
    _, seconde_plage = plages_signees(pdf_scelle)
    modifie = bytearray(pdf_scelle)
    modifie[seconde_plage[-10]] ^= 0x01  # table des références croisées, en fin de fichier

    resultat = verifier_sceau(bytes(modifie))

    assert (resultat.valide, resultat.intact, resultat.motif_refus) == (False, False, ILLISIBLE)


def test_un_ajout_apres_le_scellement_est_detecte(pdf_scelle):
    resultat = verifier_sceau(pdf_scelle + b"\n% ajout\n")

    assert (resultat.valide, resultat.intact, resultat.motif_refus) == (False, False, MODIFIE)


def test_un_sceau_d_un_autre_certificat_n_est_pas_valide(settings, tmp_path, pdf, sceau_configure):
    configurer_sceau(settings, creer_certificat(tmp_path, nom="Académie de Nulle Part"))
    scelle_ailleurs = sceller(pdf, motif="Lettre", lieu="Ailleurs")
    configurer_sceau(settings, sceau_configure)

    resultat = verifier_sceau(scelle_ailleurs)

    assert (resultat.valide, resultat.intact) == (False, True)
    assert resultat.signataire == "Académie de Nulle Part"
    assert resultat.motif_refus == (
        "Le sceau n'a pas été apposé avec un certificat valable de l'académie (signataire : Académie de Nulle Part)."
    )


def test_apres_un_renouvellement_les_lettres_de_l_ancien_certificat_restent_valides(
    settings, tmp_path, pdf, sceau_configure
):
    ancien = creer_certificat(tmp_path, nom=NOM_ACADEMIE, mot_de_passe="ancien")
    configurer_sceau(settings, ancien)
    scelle_avant = sceller(pdf, motif="Lettre", lieu="Toulouse")
    configurer_sceau(settings, sceau_configure)  # le nouveau certificat
    assert not verifier_sceau(scelle_avant).valide

    _, certificat, _ = pkcs12.load_key_and_certificates(ancien.chemin.read_bytes(), b"ancien")
    pem = tmp_path / "ancien.pem"
    pem.write_bytes(certificat.public_bytes(serialization.Encoding.PEM))
    settings.RUPN_SCEAU_CERTIFICATS_PRECEDENTS = [str(pem)]
    assert verifier_sceau(scelle_avant).valide
    assert verifier_sceau(sceller(pdf, motif="Lettre", lieu="Toulouse")).valide

    settings.RUPN_SCEAU_CERTIFICATS_PRECEDENTS = [str(tmp_path / "absent.pem")]
    with pytest.raises(SceauIndisponible, match="RUPN_SCEAU_CERTIFICATS_PRECEDENTS"):
        verifier_sceau(scelle_avant)


def test_un_pdf_non_scelle_n_est_pas_valide(pdf):
    resultat = verifier_sceau(pdf)

    assert (resultat.valide, resultat.intact, resultat.signataire, resultat.signe_le) == (False, False, "", None)
    assert resultat.motif_refus == "Ce document ne porte pas de sceau électronique."


def test_un_fichier_qui_n_est_pas_un_pdf_n_est_pas_valide():
    resultat = verifier_sceau(b"Bonjour, je ne suis pas un PDF.")

    assert (resultat.valide, resultat.intact, resultat.motif_refus) == (False, False, ILLISIBLE)


def test_un_certificat_expire_ne_scelle_plus_mais_ses_lettres_restent_valides(settings, tmp_path, pdf):
    fin = timezone.now() + timedelta(seconds=3)
    configurer_sceau(settings, creer_certificat(tmp_path, nom=NOM_ACADEMIE, fin=fin))
    scelle = sceller(pdf, motif="Lettre", lieu="Toulouse")
    time.sleep(max(0.0, (fin - timezone.now()).total_seconds()) + 0.2)

    assert verifier_sceau(scelle).valide  # le certificat configuré est l'ancre de confiance, sans date
    with pytest.raises(SceauIndisponible, match="a expiré le .* : installez le nouveau certificat de l'académie"):
        sceller(pdf, motif="Lettre", lieu="Toulouse")


@pytest.mark.parametrize(("chemin", "mot_de_passe"), [("", ""), ("", "secret"), ("/tmp/sceau.p12", "")])
def test_sans_reglages_le_sceau_dit_quoi_configurer(settings, pdf, chemin, mot_de_passe):
    settings.RUPN_SCEAU_PKCS12, settings.RUPN_SCEAU_MOT_DE_PASSE = chemin, mot_de_passe
    attendu = (
        r"Le sceau des lettres n'est pas configuré : définissez RUPN_SCEAU_PKCS12 .* et RUPN_SCEAU_MOT_DE_PASSE .* "
        r"`python manage.py creer_certificat_sceau` en crée un\."
    )

    with pytest.raises(SceauIndisponible, match=attendu):
        sceller(pdf, motif="Lettre", lieu="Toulouse")
    with pytest.raises(SceauIndisponible, match=attendu):
        verifier_sceau(pdf)


def test_un_fichier_de_sceau_absent_est_signale(settings, tmp_path, pdf):
    settings.RUPN_SCEAU_PKCS12 = str(tmp_path / "absent.p12")

    with pytest.raises(SceauIndisponible, match=r"absent\.p12 \(RUPN_SCEAU_PKCS12\) est illisible"):
        sceller(pdf, motif="Lettre", lieu="Toulouse")


def test_un_mauvais_mot_de_passe_est_signale(settings, pdf):
    settings.RUPN_SCEAU_MOT_DE_PASSE = "pas-le-bon"

    with pytest.raises(SceauIndisponible, match=r"mot de passe \(RUPN_SCEAU_MOT_DE_PASSE\) erroné"):
        sceller(pdf, motif="Lettre", lieu="Toulouse")


def test_dans_une_boucle_asyncio_le_sceau_passe_par_un_autre_fil(pdf, pdf_scelle):
    """pyHanko appelle asyncio.run() : dans une boucle déjà lancée (Playwright), sceller et vérifier marchent."""

    async def sceller_puis_verifier():
        return verifier_sceau(pdf_scelle), verifier_sceau(sceller(pdf, motif="Lettre", lieu="Toulouse"))

    premier, second = asyncio.run(sceller_puis_verifier())
    assert premier.valide and second.valide


# --- Commande creer_certificat_sceau ---


def creer(*arguments):
    sortie = StringIO()
    call_command("creer_certificat_sceau", *arguments, stdout=sortie)
    return sortie.getvalue()


def variables(sortie):
    return dict(shlex.split(ligne)[0].split("=", 1) for ligne in sortie.splitlines() if ligne.startswith("RUPN_"))


def test_la_commande_cree_un_certificat_qui_scelle(settings, tmp_path, pdf):
    fichier = tmp_path / "sceau.p12"

    sortie = creer("--sortie", str(fichier), "--mot-de-passe", "mot de passe", "--nom", "Académie de Lyon")

    assert stat.S_IMODE(os.stat(fichier).st_mode) == 0o600
    assert "Réservé au développement et à la démonstration" in sortie
    reglages = variables(sortie)
    assert reglages == {"RUPN_SCEAU_PKCS12": str(fichier), "RUPN_SCEAU_MOT_DE_PASSE": "mot de passe"}
    cle, certificat, _ = pkcs12.load_key_and_certificates(fichier.read_bytes(), b"mot de passe")
    assert cle.key_size == 3072
    assert certificat.subject.rfc4514_string() == "CN=Académie de Lyon,O=Académie de Lyon,C=FR"
    assert certificat.issuer == certificat.subject
    usages = certificat.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usages.digital_signature and usages.content_commitment and not usages.key_cert_sign
    assert (certificat.not_valid_after_utc - timezone.now()).days == 824  # 825 jours par défaut
    settings.RUPN_SCEAU_PKCS12, settings.RUPN_SCEAU_MOT_DE_PASSE = reglages.values()
    assert verifier_sceau(sceller(pdf, motif="Lettre", lieu="Lyon")).signataire == "Académie de Lyon"


def test_la_commande_respecte_la_duree_demandee(tmp_path):
    fichier = tmp_path / "sceau.p12"

    creer("--sortie", str(fichier), "--mot-de-passe", "mdp", "--jours", "30")

    _, certificat, _ = pkcs12.load_key_and_certificates(fichier.read_bytes(), b"mdp")
    assert (certificat.not_valid_after_utc - timezone.now()).days == 29


def test_la_commande_n_ecrase_pas_un_fichier_sans_forcer(tmp_path):
    fichier = tmp_path / "sceau.p12"
    fichier.write_bytes(b"ancien")

    with pytest.raises(CommandError, match=r"sceau\.p12 existe déjà : ajoutez --forcer pour le remplacer\."):
        creer("--sortie", str(fichier), "--mot-de-passe", "mdp")
    assert fichier.read_bytes() == b"ancien"

    fichier.chmod(0o644)
    creer("--sortie", str(fichier), "--mot-de-passe", "mdp", "--forcer")
    assert pkcs12.load_key_and_certificates(fichier.read_bytes(), b"mdp")[1] is not None
    assert stat.S_IMODE(os.stat(fichier).st_mode) == 0o600


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--mot-de-passe", ""], "Le mot de passe ne peut pas être vide."),
        (["--mot-de-passe", "mdp", "--jours", "0"], "--jours doit valoir au moins 1."),
    ],
)
def test_la_commande_refuse_des_arguments_invalides(tmp_path, arguments, message):
    fichier = tmp_path / "sceau.p12"

    with pytest.raises(CommandError, match=re.escape(message)):
        creer("--sortie", str(fichier), *arguments)
    assert not fichier.exists()


def test_l_aide_de_la_commande_la_reserve_au_developpement():
    assert "RÉSERVÉ AU DÉVELOPPEMENT ET À LA DÉMONSTRATION" in CreerCertificat.help
    assert "cachet serveur" in CreerCertificat.help
