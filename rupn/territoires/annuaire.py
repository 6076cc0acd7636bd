"""Import de l'Annuaire de l'éducation (jeu fr-en-annuaire-education, CSV « ; »).

Étapes : lecture tolérante (BOM, casse et anciens noms de colonnes), tri des lignes
(périmètre RUPN de l'académie, rejets motivés), écriture par la ressource
django-import-export, rattachement des sections à leur lycée, fermeture des
établissements absents du fichier. Le tout dans une seule transaction : un import
réussit entièrement ou ne change rien ; en simulation, il est annulé à la fin.
"""

import csv
import datetime
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from import_export.results import RowResult

from rupn.territoires.models import Bassin, Departement, Etablissement, ImportAnnuaire
from rupn.territoires.resources import CHAMPS_ANNUAIRE, EtablissementAnnuaireResource
from rupn.territoires.validators import valider_uai


class AnnuaireInvalide(Exception):
    """Le fichier ne peut pas être importé du tout ; le message s'adresse à la DANE."""


# Noms de colonnes d'exports plus anciens ou de l'API, ramenés au nom actuel (normalisé).
ALIAS_COLONNES = {
    "etablissement_multi_lignes": "multi_uai",
    "uai": "identifiant_de_l_etablissement",
    "numero_uai": "identifiant_de_l_etablissement",
    "appellation_officielle": "nom_etablissement",
    "nature_uai": "code_nature",
    "nature_uai_libe": "libelle_nature",
    "statut": "statut_public_prive",
    "secteur_public_prive_libe": "statut_public_prive",
    "code_commune_insee": "code_commune",
    "libelle_commune": "nom_commune",
    "courriel": "mail",
}
COLONNES_OBLIGATOIRES = [
    "identifiant_de_l_etablissement",
    "nom_etablissement",
    "type_etablissement",
    "statut_public_prive",
    "code_departement",
    "code_academie",
]
TYPES_SECONDAIRES = {
    "college": Etablissement.Type.COLLEGE,
    "lycee": Etablissement.Type.LYCEE,
    "erea": Etablissement.Type.EREA,
}
MINISTERE_EDUCATION = "MINISTERE DE L'EDUCATION NATIONALE"
# Codes « contrat d'association » (toutes classes, partie des classes) de l'annuaire.
CODES_CONTRAT_ASSOCIATION = {"30", "31"}
DATE_FICTIVE = datetime.date(2099, 1, 1)
COLONNES_INCORRECTES = "__colonnes_incorrectes__"


def normaliser(texte):
    """Minuscules sans accents, espaces et tirets remplacés par « _ »."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return "_".join(sans_accents.strip().lower().replace("-", " ").split())


@dataclass
class Bilan:
    lignes_lues: int = 0
    crees: list = field(default_factory=list)
    mis_a_jour: list = field(default_factory=list)
    inchanges: int = 0
    fermes: list = field(default_factory=list)
    rejetes: list = field(default_factory=list)
    sites_secondaires: list = field(default_factory=list)
    hors_perimetre: Counter = field(default_factory=Counter)

    def resume(self):
        return (
            f"{len(self.crees)} créés, {len(self.mis_a_jour)} mis à jour, {self.inchanges} inchangés, "
            f"{len(self.fermes)} fermés, {len(self.rejetes)} rejetés, "
            f"{sum(self.hors_perimetre.values())} hors périmètre"
        )

    def en_dict(self):
        return {
            "lignes_lues": self.lignes_lues,
            "crees": self.crees,
            "mis_a_jour": self.mis_a_jour,
            "inchanges": self.inchanges,
            "fermes": self.fermes,
            "rejetes": self.rejetes,
            "sites_secondaires": self.sites_secondaires,
            "hors_perimetre": self.hors_perimetre.most_common(),
        }


def lire_lignes(contenu: bytes):
    """Décode le fichier et rend (numéro de ligne, dictionnaire aux clés normalisées)."""
    texte = _decoder(contenu)
    premiere_ligne = texte.split("\n", 1)[0]
    separateur = ";" if premiere_ligne.count(";") >= premiere_ligne.count(",") else ","
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    try:
        entetes = [ALIAS_COLONNES.get(normaliser(nom), normaliser(nom)) for nom in next(lecteur)]
    except StopIteration:
        raise AnnuaireInvalide("Le fichier est vide.") from None
    except csv.Error as erreur:
        raise AnnuaireInvalide(f"Le fichier n'est pas un CSV lisible ({erreur}).") from None
    manquantes = [nom for nom in COLONNES_OBLIGATOIRES if nom not in entetes]
    if manquantes:
        raise AnnuaireInvalide(
            "Ce fichier n'est pas un export de l'annuaire de l'éducation : colonnes manquantes "
            + ", ".join(manquantes)
            + ". Téléchargez le fichier CSV du jeu « fr-en-annuaire-education »."
        )
    colonne_uai = entetes.index("identifiant_de_l_etablissement")
    try:
        for numero, valeurs in enumerate(lecteur, start=2):
            if not any(valeurs):
                continue
            if len(valeurs) != len(entetes):
                uai = valeurs[colonne_uai].strip().upper() if colonne_uai < len(valeurs) else ""
                yield (
                    numero,
                    {
                        COLONNES_INCORRECTES: f"{len(valeurs)} colonnes au lieu de {len(entetes)}",
                        "identifiant_de_l_etablissement": uai,
                    },
                )
                continue
            yield numero, dict(zip(entetes, (v.strip() for v in valeurs), strict=True))
    except csv.Error as erreur:
        raise AnnuaireInvalide(f"Le fichier n'est pas un CSV lisible, ligne {lecteur.line_num} ({erreur}).") from None


def _decoder(contenu):
    if b"\x00" in contenu[:4096]:
        raise AnnuaireInvalide("Ce fichier n'est pas un fichier texte CSV (fichier binaire, tableur ou archive ?).")
    for encodage in ("utf-8-sig", "cp1252"):
        try:
            return contenu.decode(encodage)
        except UnicodeDecodeError:
            continue
    raise AnnuaireInvalide("Encodage illisible : enregistrez le fichier en CSV UTF-8.")


def motif_hors_perimetre(ligne, academie):
    """Pourquoi la ligne n'est pas un établissement RUPN de l'académie ; None si elle l'est."""
    if ligne.get("code_academie", "").zfill(2) != academie.code:
        return "autre académie"
    type_etablissement = normaliser(ligne.get("type_etablissement", ""))
    if type_etablissement not in TYPES_SECONDAIRES:
        return f"type {ligne.get('type_etablissement') or 'non renseigné'} (hors second degré)"
    ministere = ligne.get("ministere_tutelle", "").upper()
    if ministere and ministere != MINISTERE_EDUCATION:
        return f"autre ministère de tutelle ({ministere.lower()})"
    if not ministere and ligne.get("lycee_agricole") == "1":
        # Exports sans colonne de tutelle : l'indicateur « lycée agricole » en tient lieu.
        return "lycée agricole (ministère de l'agriculture)"
    statut = normaliser(ligne.get("statut_public_prive", ""))
    if statut == "public":
        return None
    if statut != "prive":
        return "statut public ou privé non renseigné"
    code_contrat = ligne.get("code_type_contrat_prive", "")
    libelle_contrat = ligne.get("type_contrat_prive", "").upper()
    if code_contrat in CODES_CONTRAT_ASSOCIATION or "ASSOCIATION" in libelle_contrat:
        return None
    return f"privé {libelle_contrat.lower() or 'sans contrat connu'}"


def lire_date(valeur):
    if not valeur:
        return None
    for format_date in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            date = datetime.datetime.strptime(valeur[:10], format_date).date()
        except ValueError:
            continue
        return None if date >= DATE_FICTIVE else date
    return None


def adresse_ou_vide(valeur):
    try:
        validate_email(valeur.lower())
    except ValidationError:
        return ""
    return valeur.lower()


# États de l'annuaire : « A OUVRIR » et « A FERMER » sont encore ouverts cette année.
ETATS_FERMES = {"FERME", "FERMEE"}


def convertir(ligne, academie):
    """Les colonnes de la ressource pour une ligne retenue."""
    ouvert = normaliser(ligne.get("etat", "")).upper() not in ETATS_FERMES
    # Date de fermeture tirée du fichier seulement : réimporter un autre jour ne change rien.
    date_fermeture = None if ouvert else lire_date(ligne.get("date_fermeture") or ligne.get("date_maj_ligne", ""))
    return {
        "uai": ligne["identifiant_de_l_etablissement"].upper(),
        "nom": ligne["nom_etablissement"],
        "type": TYPES_SECONDAIRES[normaliser(ligne["type_etablissement"])],
        "nature_code": ligne.get("code_nature", ""),
        "nature_libelle": ligne.get("libelle_nature", ""),
        "secteur": Etablissement.Secteur.PUBLIC
        if normaliser(ligne["statut_public_prive"]) == "public"
        else Etablissement.Secteur.PRIVE,
        "academie": academie.code,
        "departement": code_departement(ligne),
        "bassin": ligne.get("code_bassin_formation", ""),
        "commune_code": ligne.get("code_commune", ""),
        "commune": ligne.get("nom_commune", ""),
        "email": adresse_ou_vide(ligne.get("mail", "")),
        "type_rattachement": ligne.get("type_rattachement_etablissement_mere", ""),
        "ouvert": "1" if ouvert else "0",
        "date_ouverture": lire_date(ligne.get("date_ouverture", "")),
        "date_fermeture": date_fermeture,
        "date_maj_annuaire": lire_date(ligne.get("date_maj_ligne", "")),
    }


def code_departement(ligne):
    code = ligne.get("code_departement", "")
    return code.zfill(3) if code else ""


def _message(erreur):
    if isinstance(erreur, ValidationError):
        return " ; ".join(erreur.messages)
    return str(erreur)


@dataclass
class Tri:
    """Les lignes retenues d'un fichier pour une académie, prêtes à écrire."""

    bilan: Bilan = field(default_factory=Bilan)
    retenues: list = field(default_factory=list)  # colonnes de la ressource
    numeros: list = field(default_factory=list)  # numéro de ligne de chaque retenue
    meres: dict = field(default_factory=dict)  # UAI d'une section → UAI de son lycée
    bassins: dict = field(default_factory=dict)  # code → libellé
    presents: set = field(default_factory=set)  # UAI du périmètre présents dans le fichier, même rejetés


def trier(contenu: bytes, academie, progression=None):
    """Lit le fichier et sépare les lignes retenues, rejetées (avec motif) et hors périmètre."""
    tri = Tri()
    bilan = tri.bilan
    total = max(contenu.count(b"\n") - 1, 1)  # lignes hors en-tête, estimation suffisante pour l'avancement
    departements = set(Departement.objects.filter(academie=academie).values_list("code", flat=True))
    bassins_d_ailleurs = set(Bassin.objects.exclude(academie=academie).values_list("code", flat=True))
    premieres_lignes = {}
    for numero, ligne in lire_lignes(contenu):
        bilan.lignes_lues += 1
        if progression and bilan.lignes_lues % 1000 == 0:
            # La lecture compte pour les quatre cinquièmes du travail, l'écriture pour le reste.
            progression(f"lecture : {bilan.lignes_lues} / {total} lignes", min(80, 80 * bilan.lignes_lues // total))
        uai = ligne["identifiant_de_l_etablissement"].upper()
        if COLONNES_INCORRECTES in ligne:
            tri.presents.add(uai)
            raison = f"ligne mal formée : {ligne[COLONNES_INCORRECTES]}"
            bilan.rejetes.append({"ligne": numero, "uai": uai, "nom": "", "raisons": [raison]})
            continue
        motif = motif_hors_perimetre(ligne, academie)
        if motif:
            bilan.hors_perimetre[motif] += 1
            continue
        tri.presents.add(uai)
        nom = ligne["nom_etablissement"]
        if uai in premieres_lignes and ligne.get("multi_uai") == "1":
            # Un même établissement sur plusieurs sites : une ligne par site, un seul UAI.
            bilan.sites_secondaires.append(
                {"ligne": numero, "uai": uai, "nom": nom, "ligne_principale": premieres_lignes[uai]}
            )
            continue
        raisons = _raisons_de_rejet(ligne, uai, premieres_lignes, departements, bassins_d_ailleurs, academie)
        if raisons:
            bilan.rejetes.append({"ligne": numero, "uai": uai, "nom": nom, "raisons": raisons})
            continue
        premieres_lignes[uai] = numero
        if ligne.get("code_bassin_formation"):
            tri.bassins[ligne["code_bassin_formation"]] = (
                ligne.get("libelle_bassin_formation") or ligne["code_bassin_formation"]
            )
        if ligne.get("etablissement_mere"):
            tri.meres[uai] = ligne["etablissement_mere"].upper()
        tri.retenues.append(convertir(ligne, academie))
        tri.numeros.append(numero)
    if not tri.retenues and not bilan.rejetes:
        raise AnnuaireInvalide(
            f"Ce fichier ne contient aucun collège ni lycée de l'académie de {academie.nom} "
            "dans le périmètre RUPN : vérifiez qu'il s'agit du bon fichier."
        )
    return tri


def _raisons_de_rejet(ligne, uai, premieres_lignes, departements, bassins_d_ailleurs, academie):
    raisons = []
    try:
        valider_uai(uai)
    except ValidationError as erreur:
        raisons.append(_message(erreur))
    if uai in premieres_lignes:
        raisons.append(f"UAI déjà présent ligne {premieres_lignes[uai]}")
    if not ligne["nom_etablissement"]:
        raisons.append("nom de l'établissement manquant")
    departement = code_departement(ligne)
    if not departement:
        raisons.append("département non renseigné")
    elif departement not in departements:
        raisons.append(f"département {departement} absent de l'académie de {academie.nom}")
    bassin = ligne.get("code_bassin_formation", "")
    if len(bassin) > Bassin._meta.get_field("code").max_length:
        raisons.append(f"code de bassin « {bassin} » trop long")
    elif bassin in bassins_d_ailleurs:
        raisons.append(f"bassin {bassin} rattaché à une autre académie")
    return raisons


# Au-delà, un import qui fermerait autant d'établissements doit être confirmé (extrait partiel ?).
FERMETURES_SANS_CONFIRMATION = 0.10


def importer_annuaire(
    contenu: bytes, academie, *, simulation, depot=None, progression=None, fermetures_confirmees=False
):
    """Importe le fichier pour l'académie ; rend le bilan. Lève AnnuaireInvalide sans rien écrire.

    Si l'import fermerait plus de 10 % des établissements ouverts de l'académie, il faut
    `fermetures_confirmees` (la page d'aperçu les montre avant confirmation).
    """
    tri = trier(contenu, academie, progression)
    bilan = tri.bilan
    with transaction.atomic():
        bassins = _synchroniser_bassins(academie, tri.bassins)
        departements = {d.code: d for d in Departement.objects.filter(academie=academie)}
        resultat = _ecrire(tri.retenues, academie, departements, bassins, progression)
        _classer_resultats(resultat, tri.retenues, tri.numeros, bilan)
        if resultat.has_errors():
            erreur = resultat.base_errors[0].error if resultat.base_errors else resultat.row_errors()[0][1][0].error
            raise AnnuaireInvalide(f"erreur inattendue pendant l'écriture ({erreur}).")
        _rattacher_sections(tri.meres)
        ouverts_avant = Etablissement.objects.filter(academie=academie, ouvert=True).count()
        _fermer_absents(academie, tri.presents, bilan)
        if (
            not simulation
            and not fermetures_confirmees
            and len(bilan.fermes) > ouverts_avant * FERMETURES_SANS_CONFIRMATION
        ):
            raise AnnuaireInvalide(
                f"cet import fermerait {len(bilan.fermes)} établissements sur {ouverts_avant} : s'agit-il d'un "
                "extrait partiel ? Vérifiez l'aperçu, puis confirmez les fermetures."
            )
        if simulation:
            transaction.set_rollback(True)
        elif depot is not None:
            # Dans la même transaction que les établissements : l'historique dit vrai.
            depot.statut = ImportAnnuaire.Statut.IMPORTE
            depot.importe_le = timezone.now()
            depot.bilan = bilan.en_dict()
            depot.avancement, depot.etape, depot.erreur = 100, "", ""
            depot.save()
    return bilan


def _synchroniser_bassins(academie, bassins_du_fichier):
    existants = {b.code: b for b in Bassin.objects.filter(academie=academie, code__in=bassins_du_fichier)}
    nouveaux = [
        Bassin(code=code, libelle=libelle, academie=academie)
        for code, libelle in bassins_du_fichier.items()
        if code not in existants
    ]
    Bassin.objects.bulk_create(nouveaux)
    renommes = []
    for code, bassin in existants.items():
        if bassin.libelle != bassins_du_fichier[code]:
            bassin.libelle = bassins_du_fichier[code]
            renommes.append(bassin)
    Bassin.objects.bulk_update(renommes, ["libelle"])
    return {b.code: b for b in Bassin.objects.filter(academie=academie)}


def _ecrire(retenues, academie, departements, bassins, progression):
    donnees = tablib.Dataset(headers=CHAMPS_ANNUAIRE)
    for ligne in retenues:
        donnees.append([ligne[nom] for nom in CHAMPS_ANNUAIRE])
    ressource = EtablissementAnnuaireResource(academie=academie, departements=departements, bassins=bassins)
    if progression:
        progression(f"écriture de {len(retenues)} établissements", 85)
    # La transaction est la nôtre (englobante) : la ressource n'en ouvre pas d'autre.
    return ressource.import_data(donnees, dry_run=False, use_transactions=False)


def _classer_resultats(resultat, retenues, numeros, bilan):
    for index, ligne_resultat in enumerate(resultat.rows):
        ligne = {
            "ligne": numeros[index],
            "uai": retenues[index]["uai"],
            "nom": retenues[index]["nom"],
        }
        type_import = ligne_resultat.import_type
        if type_import == RowResult.IMPORT_TYPE_NEW:
            bilan.crees.append(ligne)
        elif type_import == RowResult.IMPORT_TYPE_UPDATE:
            bilan.mis_a_jour.append(ligne)
        elif type_import == RowResult.IMPORT_TYPE_SKIP:
            bilan.inchanges += 1
        elif type_import == RowResult.IMPORT_TYPE_INVALID:
            raisons = [
                f"{champ} : {message}" if champ != "__all__" else message
                for champ, messages in ligne_resultat.validation_error.message_dict.items()
                for message in messages
            ]
            bilan.rejetes.append({**ligne, "raisons": raisons})
    bilan.rejetes.sort(key=lambda rejet: rejet["ligne"])


def _rattacher_sections(meres):
    """Relie chaque section (SEP, SEGT) à son lycée, une fois tous les établissements écrits."""
    ids = dict(Etablissement.objects.filter(uai__in={*meres, *meres.values()}).values_list("uai", "pk"))
    a_modifier = []
    for section in Etablissement.objects.filter(uai__in=meres).only("pk", "uai", "etablissement_mere_id"):
        mere_id = ids.get(meres[section.uai])
        if mere_id and section.etablissement_mere_id != mere_id:
            section.etablissement_mere_id = mere_id
            a_modifier.append(section)
    Etablissement.objects.bulk_update(a_modifier, ["etablissement_mere"])


def _fermer_absents(academie, presents, bilan):
    """Les établissements ouverts de l'académie absents du fichier sont fermés, jamais supprimés."""
    absents = Etablissement.objects.filter(academie=academie, ouvert=True).exclude(uai__in=presents)
    bilan.fermes = [{"uai": uai, "nom": nom} for uai, nom in absents.values_list("uai", "nom")]
    absents.update(ouvert=False, date_fermeture=timezone.localdate())
