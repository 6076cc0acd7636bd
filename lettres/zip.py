"""L'archive ZIP des PDF signés et scellés, produite en flux : la DANE télécharge d'un coup les lettres de son
académie (ou de ses filtres) sans que le serveur ne charge jamais tous les PDF en mémoire.

Mémoire constante : la requête est lue par lots (`.iterator()`), chaque PDF par morceaux de 64 Kio depuis le
stockage, un seul fichier ouvert à la fois, et les PDF sont stockés tels quels (déjà compressés, et leurs
octets doivent rester ceux du sceau). L'index s'écrit au fil des lettres dans un fichier temporaire et
s'ajoute à la fin de l'archive. Ne grandit avec le nombre de lettres que le répertoire central du ZIP,
qu'il faut écrire à la fin (quelques centaines d'octets par fichier).

Un PDF absent du stockage ne coupe pas le téléchargement au milieu : le fichier est ouvert avant que son entrée
ne commence ; s'il manque, la lettre n'a pas d'entrée et l'index la dit « fichier manquant ». L'empreinte de
chaque PDF est recalculée pendant la lecture et comparée à celle enregistrée au scellement.
"""

import gc
import hashlib
import logging
import tempfile

from django.utils import timezone
from django.utils.text import slugify
from zipstream import ZIP_STORED, ZipStream

from lettres.resources import avec_rupn
from rupn.exports import EcrivainCsvALaFrancaise, sans_formule

logger = logging.getLogger(__name__)

TAILLE_MORCEAU = 64 * 1024
# L'index s'écrit au fil des lettres dans un fichier temporaire, en mémoire tant qu'il est petit.
TAILLE_INDEX_EN_MEMOIRE = 256 * 1024
TAILLE_LOT = 100  # lettres lues à la fois depuis la requête (leurs désignations : une requête par lot)
NOM_INDEX = "index.csv"
LONGUEUR_NOM = 60  # du nom d'établissement dans le nom de fichier

CONTROLE_CONFORME = "présent, empreinte conforme"
CONTROLE_MANQUANT = "fichier manquant"
CONTROLE_DIFFERENT = "présent, empreinte différente de celle du scellement"

COLONNES_INDEX = [
    "Fichier",
    "UAI",
    "Établissement",
    "Département",
    "Année scolaire",
    "RUPN",
    "État",
    "Signée le",
    "Code de vérification",
    "Empreinte SHA-256",
    "Contrôle du fichier",
]


def nom_dans_archive(lettre):
    """`<annee>/<departement>/<UAI>-<nom-slugifié>-<code>.pdf` : lisible, et unique par le code de vérification."""
    etablissement = lettre.etablissement
    nom = slugify(etablissement.nom)[:LONGUEUR_NOM].strip("-") or "etablissement"
    return (
        f"{lettre.annee.code}/{etablissement.departement.code}/{etablissement.uai}-{nom}-{lettre.code_verification}.pdf"
    )


def _ouvrir(lettre):
    """Le PDF de la lettre ouvert en lecture, ou None s'il manque. Ouvert avant d'écrire l'entrée : un fichier
    effacé ensuite reste lisible par ce descripteur."""
    try:
        return lettre.pdf.storage.open(lettre.pdf.name, "rb")
    except OSError:
        logger.warning("PDF de la lettre %s absent du stockage : %s", lettre.uuid, lettre.pdf.name)
        return None


def _morceaux(fichier, empreinte):
    while morceau := fichier.read(TAILLE_MORCEAU):
        empreinte.update(morceau)
        yield morceau


def _ligne_index(lettre, fichier, controle):
    rupn = ", ".join(designation.agent.nom_public for designation in lettre.designations.all())
    signee_le = timezone.localtime(lettre.scellee_le).replace(tzinfo=None, microsecond=0) if lettre.scellee_le else ""
    return [
        sans_formule(valeur)
        for valeur in (
            fichier,
            lettre.etablissement.uai,
            lettre.etablissement.nom,
            lettre.etablissement.departement.code,
            lettre.annee.code,
            rupn,
            lettre.get_statut_display(),
            signee_le,
            lettre.code_verification,
            lettre.empreinte_pdf,
            controle,
        )
    ]


def flux_zip_lettres(lettres, *, taille_lot=TAILLE_LOT):
    """Les octets, morceau par morceau, de l'archive ZIP des PDF des `lettres` (un QuerySet de LettreMission,
    déjà filtré : chaque lettre doit avoir un PDF), rangés par année, département et UAI, suivis de `index.csv`.

    Un générateur : rien n'est lu avant qu'on ne l'itère (StreamingHttpResponse). Requêtes : une pour les lettres,
    lue par lots de `taille_lot`, et une par lot pour leurs désignations."""
    archive = ZipStream(compress_type=ZIP_STORED)
    with tempfile.SpooledTemporaryFile(TAILLE_INDEX_EN_MEMOIRE, mode="w+", encoding="utf-8", newline="") as index:
        index.write("\ufeff")  # les tableurs lisent alors le fichier en UTF-8
        lignes_index = EcrivainCsvALaFrancaise(index, COLONNES_INDEX)
        lettres = avec_rupn(lettres).order_by(
            "annee__debut", "etablissement__departement__code", "etablissement__uai", "scellee_le", "pk"
        )
        for rang, lettre in enumerate(lettres.iterator(chunk_size=taille_lot), start=1):
            if rang % taille_lot == 0:
                # Les objets des lots déjà lus forment des cycles de références (modèles, préchargements) que
                # le ramasse-miettes ne libère qu'à son heure : on le lance à chaque lot pour borner la mémoire.
                gc.collect()
            fichier = _ouvrir(lettre)
            if fichier is None:
                lignes_index.ajouter(_ligne_index(lettre, "", CONTROLE_MANQUANT))
                continue
            nom = nom_dans_archive(lettre)
            empreinte = hashlib.sha256()
            with fichier:
                archive.add(_morceaux(fichier, empreinte), nom, size=fichier.size)
                yield from archive.all_files()
            if empreinte.hexdigest() == lettre.empreinte_pdf:
                controle = CONTROLE_CONFORME
            else:
                logger.warning("Empreinte du PDF de la lettre %s différente de celle du scellement", lettre.uuid)
                controle = CONTROLE_DIFFERENT
            lignes_index.ajouter(_ligne_index(lettre, nom, controle))
        index.seek(0)
        archive.add(_morceaux_texte(index), NOM_INDEX)
        yield from archive.finalize()


def _morceaux_texte(fichier):
    while morceau := fichier.read(TAILLE_MORCEAU):
        yield morceau.encode()
