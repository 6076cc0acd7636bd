"""Sceau électronique des lettres : signature PAdES de l'académie (pyHanko) et sa vérification.

Le certificat de l'académie et sa clé sont lus dans un fichier PKCS#12 dont le chemin et le mot de
passe viennent des réglages `RUPN_SCEAU_PKCS12` et `RUPN_SCEAU_MOT_DE_PASSE` (variables
d'environnement du même nom). Niveau PAdES B-B : aucun serveur d'horodatage n'est joignable, la date
de signature est celle que déclare notre serveur, couverte par la signature.

L'API synchrone de pyHanko appelle `asyncio.run()`, qui échoue dans une boucle asyncio déjà lancée
(vue asynchrone, processus de test qui a lancé Playwright) : `sceller` et `verifier_sceau` passent
alors dans un fil à part (voir `_hors_de_toute_boucle`), si bien qu'elles s'appellent de partout.
"""

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.formats import date_format
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)

CHAMP_SCEAU = "Sceau"
# Un certificat de cachet porte la signature numérique, la non-répudiation, ou les deux.
USAGES_ACCEPTES = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})


class SceauIndisponible(ImproperlyConfigured):
    """Le certificat du sceau n'est pas configuré, pas lisible ou plus valable."""


@dataclass(frozen=True)
class ResultatVerification:
    valide: bool
    intact: bool
    signataire: str = ""
    signe_le: datetime | None = None
    motif_refus: str = ""


def sceau_configure():
    """Les réglages du sceau sont-ils remplis ? (Rempli mais inutilisable : `SceauIndisponible` à l'usage.)"""
    return bool(settings.RUPN_SCEAU_PKCS12 and settings.RUPN_SCEAU_MOT_DE_PASSE)


def _signataire():
    """La clé et le certificat de l'académie, lus dans le PKCS#12 configuré."""
    chemin, mot_de_passe = settings.RUPN_SCEAU_PKCS12, settings.RUPN_SCEAU_MOT_DE_PASSE
    if not chemin or not mot_de_passe:
        raise SceauIndisponible(
            "Le sceau des lettres n'est pas configuré : définissez RUPN_SCEAU_PKCS12 (chemin du fichier PKCS#12 "
            "du certificat de l'académie) et RUPN_SCEAU_MOT_DE_PASSE (son mot de passe). En développement, "
            "`python manage.py creer_certificat_sceau` en crée un."
        )
    try:
        donnees = Path(chemin).read_bytes()
    except OSError as erreur:
        raise SceauIndisponible(
            f"Le fichier du sceau {chemin} (RUPN_SCEAU_PKCS12) est illisible : {erreur.strerror}."
        ) from None
    return _ouvrir_pkcs12(donnees, mot_de_passe, chemin)


@functools.lru_cache(maxsize=4)
def _ouvrir_pkcs12(donnees, mot_de_passe, chemin):
    """Ouvrir le PKCS#12 coûte une centaine de millisecondes (dérivation du mot de passe) : une fois par
    processus et par contenu du fichier ; un certificat remplacé sur le disque est relu."""
    try:
        charge = signers.SimpleSigner.load_pkcs12_data(donnees, other_certs=(), passphrase=mot_de_passe.encode())
    except ValueError:
        raise SceauIndisponible(
            f"Le fichier du sceau {chemin} ne s'ouvre pas : mot de passe (RUPN_SCEAU_MOT_DE_PASSE) erroné, "
            "ou ce n'est pas un fichier PKCS#12."
        ) from None
    return SignataireAcademie(
        signing_cert=charge.signing_cert, signing_key=charge.signing_key, cert_registry=charge.cert_registry
    )


class SignataireAcademie(signers.SimpleSigner):
    """Le signataire de pyHanko, qui garde sa clé RSA chargée : pyHanko la relit et la revérifie à chaque
    signature (deux par PDF, environ 0,1 s chacune pour une clé RSA de 3 072 bits)."""

    @functools.cached_property
    def _cle_privee(self):
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data, digest_algorithm):
        try:
            mecanisme = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:  # un mécanisme que seul pyHanko sait nommer
            mecanisme = None
        if mecanisme != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._cle_privee.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


@functools.lru_cache(maxsize=4)
def _certificats_precedents(chemins):
    """Les certificats des sceaux précédents de l'académie (PEM ou DER), lus une fois par processus."""
    try:
        return tuple(load_certs_from_pemder(chemins))
    except (OSError, ValueError) as erreur:
        raise SceauIndisponible(
            f"Un des certificats précédents du sceau (RUPN_SCEAU_CERTIFICATS_PRECEDENTS : {', '.join(chemins)}) "
            f"est illisible : {erreur}."
        ) from None


def _hors_de_toute_boucle(fonction):
    """pyHanko appelle `asyncio.run()`, refusé dans une boucle asyncio déjà lancée (processus qui a lancé
    Playwright, vue asynchrone) : la fonction s'exécute alors dans un fil à part, dont on attend le résultat."""

    @functools.wraps(fonction)
    def enveloppe(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return fonction(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as executeur:
            return executeur.submit(fonction, *args, **kwargs).result()

    return enveloppe


def _nom(certificat):
    return certificat.subject.native.get("common_name") or certificat.subject.human_friendly


@_hors_de_toute_boucle
def sceller(pdf: bytes, *, motif: str, lieu: str) -> bytes:
    """Ajoute au PDF le sceau de l'académie et renvoie le PDF scellé.

    Signature PAdES B-B en mise à jour incrémentale (les octets d'origine restent en tête du fichier),
    signature de certification qui n'autorise aucune modification ultérieure. Lève `SceauIndisponible`
    si le certificat n'est pas configuré, pas lisible ou plus valable.
    """
    signataire = _signataire()
    expiration = signataire.signing_cert.not_valid_after
    if expiration <= timezone.now():
        raise SceauIndisponible(
            f"Le certificat du sceau ({settings.RUPN_SCEAU_PKCS12}) a expiré le "
            f"{date_format(timezone.localtime(expiration), 'j F Y')} : installez le nouveau certificat de l'académie."
        )
    metadonnees = signers.PdfSignatureMetadata(
        field_name=CHAMP_SCEAU,
        reason=motif,
        location=lieu,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    sortie = signers.PdfSigner(metadonnees, signer=signataire).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)))
    return sortie.getvalue()


def _refus(motif, *, intact=False, signataire="", signe_le=None):
    return ResultatVerification(
        valide=False, intact=intact, signataire=signataire, signe_le=signe_le, motif_refus=motif
    )


@_hors_de_toute_boucle
def verifier_sceau(pdf: bytes) -> ResultatVerification:
    """Vérifie le sceau d'un PDF : intégrité du fichier entier et certificat de l'académie.

    `intact` : les octets scellés n'ont pas changé et rien n'a été ajouté après le sceau. `valide` : le
    document est intact et scellé par le certificat de `RUPN_SCEAU_PKCS12` ou par un des certificats
    précédents de l'académie (`RUPN_SCEAU_CERTIFICATS_PRECEDENTS`), seules ancres de confiance ; une ancre
    vaut par elle-même, sans date de validité : une lettre scellée reste donc valide après l'expiration ou
    le remplacement du certificat. Aucune requête réseau.
    """
    ancres = [_signataire().signing_cert, *_certificats_precedents(tuple(settings.RUPN_SCEAU_CERTIFICATS_PRECEDENTS))]
    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            return _refus("Ce document ne porte pas de sceau électronique.")
        sceau = signatures[0]
        signataire, signe_le = _nom(sceau.signer_cert), sceau.self_reported_timestamp
        contexte = ValidationContext(trust_roots=ancres, allow_fetching=False)
        statut = validate_pdf_signature(sceau, contexte, key_usage_settings=USAGES_ACCEPTES, skip_diff=True)
    except Exception:  # fichier venu de n'importe qui : toute erreur de lecture vaut refus
        logger.info("Sceau illisible", exc_info=True)
        return _refus("Ce fichier ne se lit pas comme un PDF scellé : il est endommagé, modifié, ou d'un autre format.")
    intact = statut.intact and statut.valid and statut.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not intact:
        return _refus("Le document a été modifié après son scellement.", signataire=signataire, signe_le=signe_le)
    if not statut.bottom_line:
        return _refus(
            f"Le sceau n'a pas été apposé avec un certificat valable de l'académie (signataire : {signataire}).",
            intact=True,
            signataire=signataire,
            signe_le=signe_le,
        )
    return ResultatVerification(valide=True, intact=True, signataire=signataire, signe_le=signe_le)
