"""L'archive ZIP des PDF signés et scellés, produite en flux : la DANE télécharge d'un coup les lettres de son
académie (ou de ses filtres) sans que le serveur ne charge jamais tous les PDF en mémoire.

Mémoire constante : la requête est lue par lots (`.iterator()`), chaque PDF par morceaux de 64 Kio depuis le
stockage, un seul fichier ouvert à la fois, et les PDF sont stockés tels quels (déjà compressés, et leurs
octets doivent rester ceux du sceau). Seul l'index (une ligne de texte par lettre) grandit avec le nombre
de lettres ; il est écrit à la fin de l'archive.

Un PDF absent du stockage ne coupe pas le téléchargement au milieu : le fichier est ouvert avant que son entrée
ne commence ; s'il manque, la lettre n'a pas d'entrée et l'index la dit « fichier manquant ». L'empreinte de
chaque PDF est recalculée pendant la lecture et comparée à celle enregistrée au scellement.
"""

import hashlib
import logging

import tablib
from django.utils import timezone
from django.utils.text import slugify
from zipstream import ZIP_STORED, ZipStream

from lettres.resources import avec_rupn
from rupn.exports import contenu_fichier, sans_formule

logger = logging.getLogger(__name__)

TAILLE_MORCEAU = 64 * 1024
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
    rupn = ", ".join(
        designation.agent.get_full_name() or "nom non renseigné" for designation in lettre.designations.all()
    )
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
    index = tablib.Dataset(headers=COLONNES_INDEX)
    lettres = avec_rupn(lettres).order_by(
        "annee__debut", "etablissement__departement__code", "etablissement__uai", "scellee_le", "pk"
    )
    for lettre in lettres.iterator(chunk_size=taille_lot):
        fichier = _ouvrir(lettre)
        if fichier is None:
            index.append(_ligne_index(lettre, "", CONTROLE_MANQUANT))
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
        index.append(_ligne_index(lettre, nom, controle))
    archive.add(contenu_fichier(index, "csv"), NOM_INDEX)
    yield from archive.finalize()
