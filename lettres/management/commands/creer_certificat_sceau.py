"""Crée un certificat de sceau auto-signé : développement et démonstration seulement."""

import os
import shlex
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format


def pkcs12_auto_signe(*, nom, mot_de_passe, debut, fin):
    """Clé RSA 3072 et certificat auto-signé (signature numérique, non-répudiation), en PKCS#12 chiffré."""
    cle = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    sujet = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, nom),
            x509.NameAttribute(NameOID.COMMON_NAME, nom),
        ]
    )
    certificat = (
        x509.CertificateBuilder()
        .subject_name(sujet)
        .issuer_name(sujet)
        .public_key(cle.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(debut)
        .not_valid_after(fin)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-répudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(cle.public_key()), critical=False)
        .sign(cle, hashes.SHA256())
    )
    chiffrement = serialization.BestAvailableEncryption(mot_de_passe.encode())
    return pkcs12.serialize_key_and_certificates(nom.encode(), cle, certificat, None, chiffrement)


class Command(BaseCommand):
    help = (
        "Crée une clé RSA 3072 et un certificat auto-signé pour sceller les lettres de mission, dans un fichier "
        "PKCS#12 lisible de son seul propriétaire. RÉSERVÉ AU DÉVELOPPEMENT ET À LA DÉMONSTRATION : un certificat "
        "auto-signé n'est reconnu par aucun lecteur de PDF ; en production, utilisez un certificat de cachet serveur "
        "délivré par une autorité de certification (docs/deploiement.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sortie", required=True, type=Path, help="fichier PKCS#12 à créer (.p12)")
        parser.add_argument("--mot-de-passe", required=True, dest="mot_de_passe", help="mot de passe du fichier")
        parser.add_argument("--nom", default="Académie de Toulouse", help="nom du signataire porté par le certificat")
        parser.add_argument("--jours", type=int, default=825, help="durée de validité en jours (825 par défaut)")
        parser.add_argument("--forcer", action="store_true", help="remplace le fichier s'il existe déjà")

    def handle(self, *args, sortie, mot_de_passe, nom, jours, forcer, **options):
        if not mot_de_passe:
            raise CommandError("Le mot de passe ne peut pas être vide.")
        if jours < 1:
            raise CommandError("--jours doit valoir au moins 1.")
        maintenant = timezone.now()
        fin = maintenant + timedelta(days=jours)
        donnees = pkcs12_auto_signe(
            nom=nom, mot_de_passe=mot_de_passe, debut=maintenant - timedelta(minutes=5), fin=fin
        )
        sortie = sortie.resolve()
        try:
            descripteur = os.open(sortie, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if forcer else os.O_EXCL), 0o600)
        except FileExistsError:
            raise CommandError(f"{sortie} existe déjà : ajoutez --forcer pour le remplacer.") from None
        except OSError as erreur:
            raise CommandError(f"Impossible d'écrire {sortie} : {erreur.strerror}.") from None
        with os.fdopen(descripteur, "wb") as fichier:
            os.fchmod(fichier.fileno(), 0o600)  # un fichier remplacé garde sinon ses anciens droits
            fichier.write(donnees)
        self.stdout.write(
            self.style.SUCCESS(
                f"Certificat auto-signé « {nom} » écrit dans {sortie}, valable jusqu'au "
                f"{date_format(timezone.localtime(fin), 'j F Y')}."
            )
        )
        self.stdout.write(
            "Réservé au développement et à la démonstration. Définissez ces variables d'environnement :\n"
            f"RUPN_SCEAU_PKCS12={shlex.quote(str(sortie))}\n"
            f"RUPN_SCEAU_MOT_DE_PASSE={shlex.quote(mot_de_passe)}"
        )
