"""Import des enveloppes d'IMP d'une année : un fichier CSV ou XLSX de colonnes `uai` et `montant`.

Lecture du fichier (séparateur `;` ou `,`, UTF-8 avec ou sans BOM, ou classeur XLSX), puis
écriture par la ressource django-import-export : établissements et enveloppes existantes chargés
une fois, écriture par lots. Tout ou rien : une seule ligne fausse et rien n'est écrit ; chaque
erreur est rendue avec le numéro de sa ligne dans le fichier.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
import tablib
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from missions.models import Enveloppe

COLONNES = ("uai", "montant")
CENTIME = Decimal("0.01")
MONTANT_MAX = Decimal("100000000")  # Enveloppe.montant : 10 chiffres dont 2 décimales
_BLANCS_ET_EURO = re.compile(r"[\s\u00a0\u202f€]")


class ImportEnveloppesInvalide(Exception):
    """Le fichier est refusé ; `erreurs` : les messages à montrer, un par problème."""

    def __init__(self, erreurs):
        super().__init__(" ; ".join(erreurs))
        self.erreurs = erreurs


def lire_montant(valeur):
    """Un montant en euros, positif ou nul, au centime près : « 1250 », « 1 250,50 », « 1250.5 € »
    ou un nombre venu d'un tableur. Lève ValueError avec un message en français."""
    if isinstance(valeur, bool):
        raise ValueError(f"montant « {valeur} » illisible")
    texte = _BLANCS_ET_EURO.sub("", str(valeur if valeur is not None else "")).replace(",", ".")
    if not texte:
        raise ValueError("montant manquant")
    try:
        montant = Decimal(texte)
    except InvalidOperation:
        raise ValueError(
            f"montant « {valeur} » illisible : écrivez un nombre d'euros, par exemple 3750 ou 3750,50"
        ) from None
    if not montant.is_finite():
        raise ValueError(f"montant « {valeur} » illisible")
    if montant < 0:
        raise ValueError(f"montant négatif ({valeur}) : une enveloppe est positive ou nulle")
    if montant != montant.quantize(CENTIME):
        raise ValueError(f"montant « {valeur} » : au centime près, deux décimales au plus")
    if montant >= MONTANT_MAX:
        raise ValueError(f"montant « {valeur} » trop élevé")
    return montant.copy_abs().quantize(CENTIME)  # « -0 » compte pour 0


class MontantWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return lire_montant(value)


class EtablissementParUaiWidget(widgets.Widget):
    """L'UAI désigne un établissement ouvert du périmètre, et une seule ligne du fichier.

    Sans requête par ligne : les établissements du périmètre sont chargés une fois.
    """

    def __init__(self, etablissements):
        super().__init__()
        self.par_uai = {etablissement.uai: etablissement for etablissement in etablissements}
        self.premiere_ligne = {}  # UAI → première ligne qui le cite (before_import)

    def clean(self, value, row=None, **kwargs):
        uai = normaliser_uai(value)
        if not uai:
            raise ValueError("UAI manquant")
        etablissement = self.par_uai.get(uai)
        if etablissement is None:
            raise ValueError(f"UAI « {uai} » inconnu dans votre académie")
        if not etablissement.ouvert:
            raise ValueError(f"{etablissement.nom} ({uai}) est fermé : on ne lui fixe plus d'enveloppe")
        premiere = self.premiere_ligne.get(uai)
        if premiere not in (None, row["ligne"]):
            raise ValueError(f"UAI « {uai} » en double : déjà en ligne {premiere}")
        return etablissement


def normaliser_uai(valeur):
    return str(valeur if valeur is not None else "").strip().upper()


class EnveloppesDeLAnnee(BaseInstanceLoader):
    """Les enveloppes existantes de l'année, chargées en une requête ; une ligne illisible n'en a pas.

    Leur établissement et leur année sont ceux déjà en mémoire : aucune requête par ligne.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.par_etablissement = {}
        for enveloppe in resource.get_queryset():
            enveloppe.annee = resource.annee
            self.par_etablissement[enveloppe.etablissement_id] = enveloppe

    def get_instance(self, row):
        try:
            etablissement = self.resource.fields["uai"].clean(row)
        except ValueError:
            return None  # l'erreur est signalée à l'import de la ligne
        enveloppe = self.par_etablissement.get(etablissement.pk)
        if enveloppe is not None:
            enveloppe.etablissement = etablissement
        return enveloppe


class EnveloppeResource(resources.ModelResource):
    """Écrit les enveloppes d'une année pour les établissements d'un périmètre."""

    uai = fields.Field(attribute="etablissement", column_name="uai")
    montant = fields.Field(attribute="montant", column_name="montant", widget=MontantWidget())

    def __init__(self, *, etablissements, annee):
        self.annee = annee
        self.etablissements = etablissements
        super().__init__()
        self.fields["uai"].widget = EtablissementParUaiWidget(etablissements.only("pk", "uai", "nom", "ouvert"))

    class Meta:
        model = Enveloppe
        fields = ("uai", "montant")
        import_id_fields = ("uai",)
        instance_loader_class = EnveloppesDeLAnnee
        use_bulk = True
        batch_size = 500
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        clean_model_instances = False  # les widgets valident l'UAI et le montant

    def get_queryset(self):
        return Enveloppe.objects.filter(annee=self.annee, etablissement__in=self.etablissements)

    def before_import(self, dataset, **kwargs):
        widget = self.fields["uai"].widget
        for ligne, uai in zip(dataset["ligne"], dataset["uai"], strict=True):
            widget.premiere_ligne.setdefault(normaliser_uai(uai), ligne)

    def init_instance(self, row=None):
        return Enveloppe(annee=self.annee)

    def before_save_instance(self, instance, row, **kwargs):
        instance.modifiee_le = timezone.now()  # l'écriture par lots ne passe pas par save()

    def get_bulk_update_fields(self):
        return ["montant", "modifiee_le"]


@dataclass(frozen=True)
class Bilan:
    nouvelles: int
    modifiees: int
    inchangees: int

    @property
    def total(self):
        return self.nouvelles + self.modifiees + self.inchangees


def importer_enveloppes(*, contenu, nom_fichier, etablissements, annee):
    """Enregistre les enveloppes du fichier pour `annee` ; `etablissements` : le périmètre de la
    personne (ses établissements, ouverts ou non). Rend un Bilan ; lève ImportEnveloppesInvalide
    sans rien écrire."""
    donnees = lire_fichier(contenu, nom_fichier)
    resultat = EnveloppeResource(etablissements=etablissements, annee=annee).import_data(
        donnees, use_transactions=True, rollback_on_validation_errors=True
    )
    lignes = donnees["ligne"]
    erreurs = [
        f"Ligne {lignes[ligne.number - 1]} : "
        + " ; ".join(message for messages in ligne.error_dict.values() for message in messages)
        + "."
        for ligne in resultat.invalid_rows
    ]
    erreurs += [
        f"Ligne {lignes[numero - 1]} : erreur inattendue ({erreur[0].error})."
        for numero, erreur in resultat.row_errors()
    ]
    erreurs += [f"Enregistrement impossible : {erreur.error}." for erreur in resultat.base_errors]
    if erreurs:
        raise ImportEnveloppesInvalide(erreurs)
    return Bilan(
        nouvelles=resultat.totals[RowResult.IMPORT_TYPE_NEW],
        modifiees=resultat.totals[RowResult.IMPORT_TYPE_UPDATE],
        inchangees=resultat.totals[RowResult.IMPORT_TYPE_SKIP],
    )


def lire_fichier(contenu, nom_fichier):
    """Le Dataset (ligne, uai, montant) du fichier, lignes vides ôtées ; `ligne` : numéro dans le fichier."""
    lignes = _lignes_xlsx(contenu) if nom_fichier.lower().endswith(".xlsx") else _lignes_csv(contenu)
    lignes = [(numero, valeurs) for numero, valeurs in lignes if any(_texte(valeur) for valeur in valeurs)]
    if not lignes:
        raise ImportEnveloppesInvalide(
            ["Le fichier est vide : la première ligne doit nommer les colonnes uai et montant."]
        )
    _, entete = lignes[0]
    noms = [_texte(valeur).lower() for valeur in entete]
    manquantes = [colonne for colonne in COLONNES if colonne not in noms]
    if manquantes:
        raise ImportEnveloppesInvalide(
            [
                "La première ligne doit nommer les colonnes uai et montant "
                f"(colonnes trouvées : {', '.join(nom for nom in noms if nom) or 'aucune'})."
            ]
        )
    if len(lignes) == 1:
        raise ImportEnveloppesInvalide(["Le fichier ne contient aucune enveloppe après la ligne d'en-tête."])
    positions = [noms.index(colonne) for colonne in COLONNES]
    donnees = tablib.Dataset(headers=["ligne", *COLONNES])
    for numero, valeurs in lignes[1:]:
        valeurs = list(valeurs) + [None] * (len(noms) - len(valeurs))
        donnees.append([numero, *(valeurs[position] for position in positions)])
    return donnees


def _texte(valeur):
    return str(valeur).strip() if valeur is not None else ""


def _lignes_csv(contenu):
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportEnveloppesInvalide(
            ["Le fichier n'est pas encodé en UTF-8 : enregistrez-le au format « CSV UTF-8 » depuis votre tableur."]
        ) from None
    premiere = next((ligne for ligne in texte.splitlines() if ligne.strip()), "")
    lecteur = csv.reader(io.StringIO(texte), delimiter=";" if ";" in premiere else ",")
    try:
        return [(lecteur.line_num, valeurs) for valeurs in lecteur]
    except csv.Error as erreur:
        raise ImportEnveloppesInvalide([f"Ligne {lecteur.line_num} : fichier CSV illisible ({erreur})."]) from None


def _lignes_xlsx(contenu):
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except Exception:  # openpyxl lève des exceptions variées (zip, XML) sur un fichier abîmé
        raise ImportEnveloppesInvalide(
            ["Ce fichier XLSX est illisible : enregistrez-le à nouveau depuis votre tableur, ou déposez un CSV."]
        ) from None
    try:
        return list(enumerate(classeur.active.iter_rows(values_only=True), start=1))
    finally:
        classeur.close()
