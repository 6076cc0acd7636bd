"""Scénarios de mesure des performances (commande `mesurer_performances`).

`SCENARIOS` associe un nom à une fonction `(mesures, parametres)` ; les évolutions
ultérieures y ajoutent leurs scénarios avec le décorateur `@scenario("nom")`.
Chaque chiffre s'affiche sur une ligne `scénario: figure = valeur unité`.

Toute mesure qui écrit en base se fait dans une transaction annulée à la fin
(`mesure_annulee`) : la commande peut tourner sur une base de développement.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.conf import settings
from django.db import connection, transaction
from import_export import fields, resources, widgets
from import_export.results import RowResult

from rupn.env import env_str
from rupn.pilotage.generation import effacer_en_masse
from rupn.territoires.annuaire import AnnuaireInvalide, importer_annuaire, trier
from rupn.territoires.models import Academie, Bassin, Departement, Etablissement
from rupn.territoires.resources import CHAMPS_ANNUAIRE

NOM_FICHIER_ANNUAIRE = "fr-en-annuaire-education_occitanie_2024-11-26.csv"
ACADEMIES_IMPORT = ("16", "11")  # Toulouse, Montpellier : les deux académies du fichier
OBJECTIF_IMPORT_SECONDES = 10


class MesureImpossible(Exception):
    """Le scénario ne peut pas tourner ; le message s'adresse à la personne qui le lance."""


def fichier_annuaire_par_defaut():
    """RUPN_FICHIER_ANNUAIRE, sinon la copie partagée à côté du projet."""
    if chemin := env_str("RUPN_FICHIER_ANNUAIRE", ""):
        return Path(chemin)
    return (Path(settings.BASE_DIR) / ".." / "shared" / "data" / NOM_FICHIER_ANNUAIRE).resolve()


@dataclass
class Parametres:
    fichier: Path | None = None

    @property
    def fichier_annuaire(self):
        return Path(self.fichier) if self.fichier else fichier_annuaire_par_defaut()


class Mesures:
    """Écrit les chiffres d'un scénario, une ligne chacun."""

    def __init__(self, scenario, ecrire, avertir):
        self.scenario = scenario
        self._ecrire = ecrire
        self._avertir = avertir

    def figure(self, nom, valeur, unite):
        if isinstance(valeur, float):
            valeur = f"{valeur:.3f}" if valeur < 10 else f"{valeur:.1f}"
        self._ecrire(f"{self.scenario}: {nom} = {valeur} {unite}")

    def info(self, nom, valeur):
        self._ecrire(f"{self.scenario}: {nom} = {valeur}")

    def avertir(self, message):
        self._avertir(f"{self.scenario}: attention : {message}")


SCENARIOS: dict[str, Callable[[Mesures, Parametres], None]] = {}


def scenario(nom):
    def enregistrer(fonction):
        SCENARIOS[nom] = fonction
        return fonction

    return enregistrer


def mesure_annulee(travail, preparer=None):
    """Exécute `preparer` (non chronométré) puis `travail` (chronométré) dans une transaction
    annulée ; rend (secondes, résultat de `travail`)."""
    with transaction.atomic():
        if preparer:
            preparer()
        debut = time.perf_counter()
        resultat = travail()
        duree = time.perf_counter() - debut
        transaction.set_rollback(True)
    return duree, resultat


def verifier_base(mesures):
    mesures.info("base", connection.vendor)
    if connection.vendor == "sqlite":
        mesures.avertir(
            "base SQLite : les objectifs se mesurent sur PostgreSQL "
            "(DATABASE_URL=postgres://…), ces chiffres ne sont qu'indicatifs."
        )


# --- Scénario « import » ---------------------------------------------------------------------


class EtablissementLigneALigneResource(resources.ModelResource):
    """Ressource django-import-export aux réglages par défaut, pour comparaison : une ligne à la
    fois, recherche de l'instance et des clés étrangères par requête."""

    academie = fields.Field(
        attribute="academie", column_name="academie", widget=widgets.ForeignKeyWidget(Academie, field="code")
    )
    departement = fields.Field(
        attribute="departement", column_name="departement", widget=widgets.ForeignKeyWidget(Departement, field="code")
    )
    bassin = fields.Field(
        attribute="bassin", column_name="bassin", widget=widgets.ForeignKeyWidget(Bassin, field="code")
    )

    class Meta:
        model = Etablissement
        fields = CHAMPS_ANNUAIRE
        import_id_fields = ["uai"]
        use_bulk = False


def importer_ligne_a_ligne(contenu, academie):
    """Le même travail avec la ressource par défaut ; rend (lignes lues, établissements écrits, erreurs).

    Le tri des lignes est celui de l'import (`trier`) ; seule l'écriture diffère.
    """
    tri = trier(contenu, academie)
    Bassin.objects.bulk_create(
        [Bassin(code=code, libelle=libelle, academie=academie) for code, libelle in tri.bassins.items()],
        ignore_conflicts=True,
    )
    donnees = tablib.Dataset(headers=CHAMPS_ANNUAIRE)
    for ligne in tri.retenues:
        donnees.append([ligne[nom] for nom in CHAMPS_ANNUAIRE])
    resultat = EtablissementLigneALigneResource().import_data(donnees, dry_run=False, use_transactions=False)
    ecrits = sum(
        ligne.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE) for ligne in resultat.rows
    )
    erreurs = len(resultat.base_errors) + len(resultat.row_errors()) + len(resultat.invalid_rows)
    return tri.bilan.lignes_lues, ecrits, erreurs


def vider_etablissements(academie):
    """Retire les établissements de l'académie (et ce qui les protège) : à n'appeler que
    dans une transaction annulée."""
    effacer_en_masse(Etablissement.objects.filter(academie=academie))


def lire_fichier(chemin):
    try:
        return chemin.read_bytes()
    except FileNotFoundError:
        raise MesureImpossible(
            f"Fichier de l'annuaire introuvable : {chemin}. Indiquez-le avec --fichier "
            f"ou la variable d'environnement RUPN_FICHIER_ANNUAIRE (jeu « fr-en-annuaire-education »)."
        ) from None
    except OSError as erreur:
        raise MesureImpossible(f"Lecture impossible du fichier de l'annuaire {chemin} : {erreur}.") from None


@scenario("import")
def mesurer_import(mesures, parametres):
    """Import du fichier de l'annuaire pour chaque académie, par notre import puis ligne à ligne."""
    contenu = lire_fichier(parametres.fichier_annuaire)
    verifier_base(mesures)
    academies = list(Academie.objects.filter(code__in=ACADEMIES_IMPORT).order_by("-code"))
    if not academies:
        raise MesureImpossible("Académies de Toulouse et de Montpellier absentes : lancez d'abord « migrate ».")

    secondes = lues = ecrits = 0
    for academie in academies:
        try:
            duree, bilan = mesure_annulee(
                lambda academie=academie: importer_annuaire(contenu, academie, simulation=False),
                preparer=lambda academie=academie: vider_etablissements(academie),
            )
        except AnnuaireInvalide as erreur:
            raise MesureImpossible(f"Import impossible pour l'académie {academie.code} : {erreur}") from None
        secondes += duree
        lues += bilan.lignes_lues
        ecrits += len(bilan.crees) + len(bilan.mis_a_jour)
    mesures.figure("lignes_fichier", lues // len(academies), "lignes")
    mesures.figure("academies", len(academies), "académies")
    mesures.figure("secondes", secondes, "s")
    mesures.figure("lignes_par_seconde", round(lues / secondes), "lignes/s")
    mesures.figure("etablissements_ecrits", ecrits, "établissements")
    if connection.vendor == "postgresql" and secondes >= OBJECTIF_IMPORT_SECONDES:
        mesures.avertir(f"objectif non atteint : {secondes:.1f} s pour moins de {OBJECTIF_IMPORT_SECONDES} s visées.")

    secondes_ligne = lues_ligne = ecrits_ligne = erreurs = 0
    for academie in academies:
        duree, (lues_academie, ecrits_academie, erreurs_academie) = mesure_annulee(
            lambda academie=academie: importer_ligne_a_ligne(contenu, academie),
            preparer=lambda academie=academie: vider_etablissements(academie),
        )
        secondes_ligne += duree
        lues_ligne += lues_academie
        ecrits_ligne += ecrits_academie
        erreurs += erreurs_academie
    mesures.figure("secondes_ligne_a_ligne", secondes_ligne, "s")
    mesures.figure("lignes_par_seconde_ligne_a_ligne", round(lues_ligne / secondes_ligne), "lignes/s")
    mesures.figure("etablissements_ecrits_ligne_a_ligne", ecrits_ligne, "établissements")
    mesures.figure("acceleration", secondes_ligne / secondes, "x")
    if erreurs or ecrits_ligne != ecrits:
        mesures.avertir(
            f"l'import ligne à ligne a écrit {ecrits_ligne} établissements ({erreurs} erreurs) "
            f"contre {ecrits} : la comparaison est faussée."
        )
