"""Ce que partagent les exports CSV et XLSX (django-import-export) : aucune cellule ne devient une formule.

Un tableur interprète une cellule texte qui commence par = + - @, une tabulation ou un retour
chariot comme une formule (« injection de formule », OWASP « CSV Injection ») : un nom
d'établissement ou de personne saisi ailleurs pourrait ainsi lancer une commande ou envoyer
des données au dehors à l'ouverture du fichier. On la préfixe d'une apostrophe, que le
tableur lit comme « ceci est du texte ». Le réglage IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT
ne suffit pas : il ne traite que « = » (qu'il supprime), change toute cellule en texte, et
seulement quand l'export passe par un format de django-import-export, pas par `dataset.csv`.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def sans_formule(valeur):
    """`valeur`, préfixée d'une apostrophe si c'est un texte qu'un tableur lirait comme une formule.
    Nombres et dates sont rendus tels quels (ils restent des cellules numériques)."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return f"'{valeur}"
    return valeur


class ExportSansFormuleMixin:
    """À placer avant `resources.Resource` (ou `ModelResource`) : chaque cellule exportée,
    attribut ou `dehydrate_…`, passe par `sans_formule`."""

    def export_field(self, field, instance, **kwargs):
        return sans_formule(super().export_field(field, instance, **kwargs))


FORMATS_EXPORT = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _a_la_francaise(valeur):
    return str(valeur).replace(".", ",") if isinstance(valeur, Decimal | float) else valeur


class EcrivainCsvALaFrancaise:
    """Écrit, ligne après ligne, le CSV qu'un tableur réglé en français ouvre en colonnes : séparateur
    « ; », virgule décimale (comme le fichier de l'annuaire et l'import des enveloppes). `fichier` : un
    fichier texte ouvert avec `newline=""`."""

    def __init__(self, fichier, entetes):
        self._ecrivain = csv.writer(fichier, delimiter=";")
        self._ecrivain.writerow(entetes)

    def ajouter(self, ligne):
        self._ecrivain.writerow([_a_la_francaise(valeur) for valeur in ligne])


def csv_a_la_francaise(donnees):
    sortie = io.StringIO(newline="")
    ecrivain = EcrivainCsvALaFrancaise(sortie, donnees.headers)
    for ligne in donnees:
        ecrivain.ajouter(ligne)
    return sortie.getvalue()


def contenu_fichier(donnees, format, titre="Export"):
    """Le fichier d'un export : CSV précédé du BOM (les tableurs l'ouvrent alors en UTF-8) ou classeur XLSX
    dont la feuille porte `titre`."""
    if format == "csv":
        return ("\ufeff" + csv_a_la_francaise(donnees)).encode()
    donnees.title = titre[:31]  # longueur maximale d'un nom de feuille
    return donnees.xlsx


def reponse_export(donnees, format, nom, titre):
    """La réponse qui fait télécharger `donnees` (un Dataset tablib) sous le nom `nom`.`format`."""
    reponse = HttpResponse(contenu_fichier(donnees, format, titre), content_type=FORMATS_EXPORT[format])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format}"'
    return reponse
