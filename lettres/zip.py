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

import hashlib
import logging
import tempfile
from itertools import islice

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from zipstream import ZIP_STORED, ZipStream

from lettres.models import LettreMission
from rupn.comptes.models import Utilisateur
from rupn.exports import EcrivainCsvALaFrancaise, sans_formule

logger = logging.getLogger(__name__)

TAILLE_MORCEAU = 64 * 1024
# L'index s'écrit au fil des lettres dans un fichier temporaire, en mémoire tant qu'il est petit.
TAILLE_INDEX_EN_MEMOIRE = 64 * 1024
TAILLE_LOT = 100  # lettres lues à la fois depuis la requête (leurs désignations : une requête par lot)
NOM_INDEX = "index.csv"
LONGUEUR_NOM = 60


def _stockage():
    return LettreMission._meta.get_field("pdf").storage  # du nom d'établissement dans le nom de fichier


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
    return _nom(
        lettre.annee.code,
        etablissement.departement.code,
        etablissement.uai,
        etablissement.nom,
        lettre.code_verification,
    )


def _nom(annee, departement, uai, nom_etablissement, code):
    nom = slugify(nom_etablissement)[:LONGUEUR_NOM].strip("-") or "etablissement"
    return f"{annee}/{departement}/{uai}-{nom}-{code}.pdf"


# Les lettres sont lues en lignes simples, pas en objets du modèle : un objet qui porte un fichier
# (`FieldFile`) ou des désignations préchargées forme un cycle de références avec eux, que le
# ramasse-miettes ne libère qu'à son heure ; la mémoire croîtrait alors avec le nombre de lettres.
CHAMPS_RENOMMES = {
    "fichier": "pdf",
    "empreinte": "empreinte_pdf",
    "code": "code_verification",
    "code_annee": "annee__code",
    "departement": "etablissement__departement__code",
    "uai": "etablissement__uai",
    "nom_etablissement": "etablissement__nom",
}


def _lots(lignes, taille):
    while lot := list(islice(lignes, taille)):
        yield lot


def _rupn_du_lot(lot):
    """{identifiant de lettre : « Prénom Nom, Prénom Nom »} pour un lot de lettres, en une requête."""
    noms = {}
    designations = (
        LettreMission.designations.through.objects.filter(lettremission_id__in=[ligne["pk"] for ligne in lot])
        .order_by("designation__agent__last_name", "designation__agent__first_name")
        .values_list("lettremission_id", "designation__agent__first_name", "designation__agent__last_name")
    )
    for lettre_id, prenom, nom in designations:
        noms.setdefault(lettre_id, []).append(Utilisateur(first_name=prenom, last_name=nom).nom_public)
    return {lettre_id: ", ".join(personnes) for lettre_id, personnes in noms.items()}


def _ouvrir(ligne):
    """Le PDF de la lettre ouvert en lecture, ou None s'il manque. Ouvert avant d'écrire l'entrée : un fichier
    effacé ensuite reste lisible par ce descripteur."""
    try:
        return _stockage().open(ligne["fichier"], "rb")
    except OSError:
        logger.warning("PDF de la lettre %s absent du stockage : %s", ligne["uuid"], ligne["fichier"])
        return None


def _morceaux(fichier, empreinte):
    while morceau := fichier.read(TAILLE_MORCEAU):
        empreinte.update(morceau)
        yield morceau


def _ligne_index(ligne, rupn, fichier, controle):
    signee_le = ligne["scellee_le"]
    return [
        sans_formule(valeur)
        for valeur in (
            fichier,
            ligne["uai"],
            ligne["nom_etablissement"],
            ligne["departement"],
            ligne["code_annee"],
            rupn,
            LettreMission.Statut(ligne["statut"]).label,
            timezone.localtime(signee_le).replace(tzinfo=None, microsecond=0) if signee_le else "",
            ligne["code"],
            ligne["empreinte"],
            controle,
        )
    ]


def flux_zip_lettres(lettres, *, taille_lot=TAILLE_LOT):
    """Les octets, morceau par morceau, de l'archive ZIP des PDF des `lettres` (un QuerySet de LettreMission,
    déjà filtré : chaque lettre doit avoir un PDF), rangés par année, département et UAI, suivis de `index.csv`.

    Un générateur : rien n'est lu avant qu'on ne l'itère (StreamingHttpResponse). Requêtes : une pour les lettres,
    lue par lots de `taille_lot`, et une par lot pour les noms de leurs RUPN."""
    archive = ZipStream(compress_type=ZIP_STORED)
    lignes = (
        lettres.order_by("annee__debut", "etablissement__departement__code", "etablissement__uai", "scellee_le", "pk")
        .values("pk", "uuid", "statut", "scellee_le", **{cle: F(champ) for cle, champ in CHAMPS_RENOMMES.items()})
        .iterator(chunk_size=taille_lot)
    )
    with tempfile.SpooledTemporaryFile(TAILLE_INDEX_EN_MEMOIRE, mode="w+", encoding="utf-8", newline="") as index:
        index.write("\ufeff")  # les tableurs lisent alors le fichier en UTF-8
        lignes_index = EcrivainCsvALaFrancaise(index, COLONNES_INDEX)
        for lot in _lots(lignes, taille_lot):
            rupn = _rupn_du_lot(lot)
            for ligne in lot:
                fichier = _ouvrir(ligne)
                if fichier is None:
                    lignes_index.ajouter(_ligne_index(ligne, rupn.get(ligne["pk"], ""), "", CONTROLE_MANQUANT))
                    continue
                nom = _nom(
                    ligne["code_annee"], ligne["departement"], ligne["uai"], ligne["nom_etablissement"], ligne["code"]
                )
                empreinte = hashlib.sha256()
                with fichier:
                    archive.add(_morceaux(fichier, empreinte), nom, size=fichier.size)
                    yield from archive.all_files()
                if empreinte.hexdigest() == ligne["empreinte"]:
                    controle = CONTROLE_CONFORME
                else:
                    logger.warning("Empreinte du PDF de la lettre %s différente de celle du scellement", ligne["uuid"])
                    controle = CONTROLE_DIFFERENT
                lignes_index.ajouter(_ligne_index(ligne, rupn.get(ligne["pk"], ""), nom, controle))
        index.seek(0)
        archive.add(_morceaux_texte(index), NOM_INDEX)
        yield from archive.finalize()


def _morceaux_texte(fichier):
    while morceau := fichier.read(TAILLE_MORCEAU):
        yield morceau.encode()
