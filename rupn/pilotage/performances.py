"""Scénarios de mesure des performances (commande `mesurer_performances`).

`SCENARIOS` associe un nom à une fonction `(mesures, parametres)` ; les évolutions
ultérieures y ajoutent leurs scénarios avec le décorateur `@scenario("nom")`.
Chaque chiffre s'affiche sur une ligne `scénario: figure = valeur unité`.

Toute mesure qui écrit en base se fait dans une transaction annulée à la fin
(`mesure_annulee`) : la commande peut tourner sur une base de développement.
"""

import functools
import hashlib
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import tablib
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import RowResult

from enquetes.models import Enquete, Participation, Reponse
from lettres.document import pdf_scelle
from lettres.management.commands.creer_certificat_sceau import pkcs12_auto_signe
from lettres.models import LettreMission, Signature
from lettres.services import lettre_creer
from lettres.signatures import charger_lettre
from lettres.zip import flux_zip_lettres
from missions.models import Designation
from rupn.comptes.models import Role, Utilisateur
from rupn.env import env_str
from rupn.maturite.models import NiveauDomaine
from rupn.pilotage.demo.lettres import contenu_de_demonstration
from rupn.pilotage.generation import DOMAINE, MARQUEUR, Contexte, effacer_en_masse, etablissements_synthetiques, generer
from rupn.territoires.annuaire import AnnuaireInvalide, importer_annuaire, trier
from rupn.territoires.models import Academie, AnneeScolaire, Bassin, Departement, Etablissement
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


# --- Scénario « designations » ---------------------------------------------------------------

PAGES_DESIGNATIONS = {
    "academie_designations": "missions:academie_designations",
    "couverture": "missions:couverture",
}
REPETITIONS_PAGES = 7
SANS_DONNEES = (
    "pas de données synthétiques : lancez d'abord « manage.py generer_donnees » (--echelle 0.1 pour un essai rapide)."
)


def plus_grande_academie():
    """L'académie qui a le plus d'établissements synthétiques ouverts (None s'il n'y en a pas)."""
    synthetiques = Q(etablissements__nom__startswith=MARQUEUR, etablissements__ouvert=True)
    return (
        Academie.objects.annotate(nombre=Count("etablissements", filter=synthetiques))
        .filter(nombre__gt=0)
        .order_by("-nombre", "code")
        .first()
    )


def client_connecte(utilisateur):
    """Un client de test connecté comme `utilisateur`, double authentification activée au besoin :
    à n'appeler que dans une transaction annulée."""
    if not Authenticator.objects.filter(user=utilisateur, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(utilisateur, generate_totp_secret())
    client = Client()
    client.force_login(utilisateur)
    return client


def _noter_requete(requetes, execute, sql, params, many, context):
    requetes.append((sql, params))
    return execute(sql, params, many, context)


def mesurer_pages(utilisateur, pages, avec_sql=False, repetitions=REPETITIONS_PAGES):
    """Pour chaque page {nom: nom d'URL, ou adresse commençant par « / »}, rend {nom: (durée médiane en s,
    requêtes SQL)} : un premier appel (gabarits compilés, caches remplis) vérifie la réponse, un deuxième
    compte les requêtes (par `execute_wrapper` : CaptureQueriesContext ne voit plus rien une fois le journal
    de DEBUG plein), `repetitions` autres sont chronométrés. À n'appeler que dans une transaction annulée.
    `avec_sql` : après chaque appel chronométré, les SELECT de la page sont rejoués directement (`duree_des_selects`)
    et la durée médiane de ce rejeu s'ajoute au résultat ; alterner les deux garde la même charge de la
    machine pour l'un et l'autre."""
    client = client_connecte(utilisateur)
    resultats = {}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for nom, nom_url in pages.items():
            url = nom_url if nom_url.startswith("/") else reverse(nom_url)
            reponse = client.get(url, secure=True)
            if reponse.status_code != 200:
                raise MesureImpossible(
                    f"la page {nom_url} ({url}) répond {reponse.status_code} à {utilisateur.email} : rien à mesurer."
                )
            requetes = []
            with connection.execute_wrapper(functools.partial(_noter_requete, requetes)):
                client.get(url, secure=True)
            durees, durees_sql = [], []
            for _ in range(repetitions):
                debut = time.perf_counter()
                client.get(url, secure=True)
                durees.append(time.perf_counter() - debut)
                if avec_sql:
                    durees_sql.append(duree_des_selects(requetes))
            resultats[nom] = (statistics.median(durees), len(requetes))
            if avec_sql:
                resultats[nom] += (statistics.median(durees_sql),)
    return resultats


@scenario("designations")
def mesurer_designations(mesures, parametres):
    """Pages de la DANE de la plus grande académie synthétique pour l'année en cours : temps serveur
    médian (client de test, sans réseau) et nombre de requêtes SQL."""
    academie = plus_grande_academie()
    annee = AnneeScolaire.objects.courante()
    if academie is None or annee is None:
        raise MesureImpossible(f"Scénario « designations » : {SANS_DONNEES}")
    dane = (
        Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}", roles__type=Role.Type.DANE, roles__academie=academie)
        .order_by("email")
        .first()
    )
    if dane is None:
        raise MesureImpossible(f"Scénario « designations » : aucun compte DANE synthétique, {SANS_DONNEES}")
    verifier_base(mesures)
    mesures.info("academie", f"{academie.code} {academie.nom}")
    mesures.info("annee", annee.code)
    mesures.figure(
        "etablissements", Etablissement.objects.filter(academie=academie, ouvert=True).count(), "établissements"
    )
    mesures.figure(
        "designations_annee",
        Designation.objects.filter(etablissement__academie=academie, annee=annee).count(),
        "désignations",
    )
    try:
        _, resultats = mesure_annulee(lambda: mesurer_pages(dane, PAGES_DESIGNATIONS))
    except MesureImpossible as erreur:
        raise MesureImpossible(f"Scénario « designations » : {erreur}") from None
    for nom, (mediane, requetes) in resultats.items():
        mesures.figure(f"{nom}_ms", mediane * 1000, "ms")
        mesures.figure(f"{nom}_requetes", requetes, "requêtes")


REPETITIONS_SCEAU = 7
LETTRES_ZIP = 500
OBJECTIF_SCEAU_SECONDES = 0.5


@contextmanager
def sceau_disponible(mesures):
    """Le sceau configuré, ou, à défaut, un certificat auto-signé temporaire (la mesure n'en dépend pas)."""
    if settings.RUPN_SCEAU_PKCS12 and Path(settings.RUPN_SCEAU_PKCS12).exists():
        yield
        return
    mesures.avertir("sceau non configuré (RUPN_SCEAU_PKCS12) : certificat auto-signé temporaire")
    with tempfile.TemporaryDirectory() as dossier:
        chemin = Path(dossier) / "sceau.p12"
        maintenant = timezone.now()
        chemin.write_bytes(
            pkcs12_auto_signe(
                nom="Mesure",
                mot_de_passe="mesure",
                debut=maintenant - timedelta(minutes=5),
                fin=maintenant + timedelta(days=1),
            )
        )
        with override_settings(RUPN_SCEAU_PKCS12=str(chemin), RUPN_SCEAU_MOT_DE_PASSE="mesure"):
            yield


def _lettre_a_sceller():
    """Une lettre de mission créée (dans la transaction annulée de la mesure) pour une désignation acceptée
    sans lettre, missions retenues comme dans la démonstration, et les signatures qu'elle recevrait."""
    designation = (
        Designation.objects.filter(statut__in=[Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE])
        .exclude(lettres_mission__isnull=False)
        .select_related("etablissement", "annee", "agent")
        .first()
    )
    if designation is None:
        raise MesureImpossible(f"Scénario « lettres » : aucune désignation acceptée sans lettre ; {SANS_DONNEES}")
    chef = Utilisateur.objects.exclude(pk=designation.agent_id).first()
    lettre = lettre_creer(
        etablissement=designation.etablissement, annee=designation.annee, designations=[designation], par=chef
    )
    lettre.contenu = contenu_de_demonstration(lettre)
    lettre.save(update_fields=["contenu"])
    lettre = charger_lettre(lettre)
    maintenant = timezone.now()
    signatures = [
        Signature(lettre=lettre, signataire=designation.agent, qualite=Signature.Qualite.RUPN, horodatage=maintenant),
        Signature(lettre=lettre, signataire=chef, qualite=Signature.Qualite.CHEF, horodatage=maintenant),
    ]
    return lettre, signatures


def _mesurer_sceau_et_zip(mesures):
    lettre, signatures = _lettre_a_sceller()
    pdf_scelle(lettre, signatures)  # à chaud : polices, certificat et gabarits chargés
    durees = []
    for _ in range(REPETITIONS_SCEAU):
        debut = time.perf_counter()
        octets = pdf_scelle(lettre, signatures)
        durees.append(time.perf_counter() - debut)
    mesures.figure("rendu_et_sceau_median_s", statistics.median(durees), "s")
    mesures.info("rendu_et_sceau_objectif", f"{OBJECTIF_SCEAU_SECONDES} s à chaud")
    mesures.figure("pdf_ko", len(octets) / 1024, "Ko")

    with tempfile.TemporaryDirectory() as dossier, override_settings(MEDIA_ROOT=dossier):
        lettres = []
        for rang in range(LETTRES_ZIP):
            copie = LettreMission(
                etablissement=lettre.etablissement,
                annee=lettre.annee,
                modele=lettre.modele,
                contenu=lettre.contenu,
                statut=LettreMission.Statut.SCELLEE,
                cree_par=lettre.cree_par,
                empreinte_pdf=hashlib.sha256(octets).hexdigest(),
                scellee_le=timezone.now(),
                pdf=f"lettres/mesure/{rang}.pdf",
            )
            (Path(dossier) / copie.pdf.name).parent.mkdir(parents=True, exist_ok=True)
            (Path(dossier) / copie.pdf.name).write_bytes(octets)
            lettres.append(copie)
        LettreMission.objects.bulk_create(lettres)
        copies = LettreMission.objects.filter(pdf__startswith="lettres/mesure/").order_by("pk")
        # Deux tailles : un pic de mémoire qui ne grandit pas avec le nombre de lettres dit un flux constant.
        for nombre in (LETTRES_ZIP // 5, LETTRES_ZIP):
            pks = list(copies.values_list("pk", flat=True)[:nombre])
            tracemalloc.start()
            debut = time.perf_counter()
            taille = sum(len(morceau) for morceau in flux_zip_lettres(copies.filter(pk__in=pks)))
            duree = time.perf_counter() - debut
            _, pic = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            mesures.figure(f"zip_{nombre}_lettres_s", duree, "s")
            mesures.figure(f"zip_{nombre}_lettres_mo", taille / 2**20, "Mo")
            mesures.figure(f"zip_{nombre}_lettres_pic_memoire_mo", pic / 2**20, "Mo")


@scenario("lettres")
def mesurer_lettres(mesures, parametres):
    """Rendu et sceau d'une lettre (médiane à chaud), puis export ZIP en flux de 500 lettres scellées
    (durée, taille, pic de mémoire Python mesuré par tracemalloc)."""
    verifier_base(mesures)
    with sceau_disponible(mesures):
        mesure_annulee(lambda: _mesurer_sceau_et_zip(mesures))


# --- Scénario « enquetes » ------------------------------------------------------------------------


@scenario("enquetes")
def mesurer_enquetes(mesures, parametres):
    """Analyse des réponses à l'enquête de l'année de la plus grande académie synthétique, vue par un de ses
    comptes DANE comme dans « designations » : temps serveur médian et requêtes SQL de la page d'analyse et
    de l'export CSV des réponses, avec le volume analysé (participations, réponses)."""
    academie = plus_grande_academie()
    annee = AnneeScolaire.objects.courante()
    enquete = Enquete.objects.filter(academie=academie, annee=annee).first() if academie and annee else None
    if enquete is None:
        raise MesureImpossible(f"Scénario « enquetes » : pas d'enquête synthétique de l'année, {SANS_DONNEES}")
    dane = (
        Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}", roles__type=Role.Type.DANE, roles__academie=academie)
        .order_by("email")
        .first()
    )
    if dane is None:
        raise MesureImpossible(f"Scénario « enquetes » : aucun compte DANE synthétique, {SANS_DONNEES}")
    verifier_base(mesures)
    mesures.info("academie", f"{academie.code} {academie.nom}")
    mesures.info("annee", annee.code)
    participations = Participation.objects.filter(enquete=enquete)
    envoyees = participations.filter(statut=Participation.Statut.SOUMISE)
    mesures.figure("questions", enquete.questions.count(), "questions")
    mesures.figure("participations", participations.count(), "participations")
    mesures.figure("participations_envoyees", envoyees.count(), "participations")
    mesures.figure("reponses", Reponse.objects.filter(participation__in=envoyees).count(), "réponses")
    pages = {
        "analyse": reverse("enquetes:enquete_analyse", args=[enquete.uuid]),
        "export_csv": reverse("enquetes:reponses_export", args=[enquete.uuid, "csv"]),
    }
    try:
        _, resultats = mesure_annulee(lambda: mesurer_pages(dane, pages))
    except MesureImpossible as erreur:
        raise MesureImpossible(f"Scénario « enquetes » : {erreur}") from None
    for nom, (mediane, requetes) in resultats.items():
        mesures.figure(f"{nom}_ms", mediane * 1000, "ms")
        mesures.figure(f"{nom}_requetes", requetes, "requêtes")


# --- Scénario « pilotage » -------------------------------------------------------------------


OBJECTIF_RATIO_PILOTAGE = 2
REPETITIONS_PILOTAGE = 15  # un rapport de deux durées : plus de mesures pour des médianes stables
ECHELLE_PILOTAGE = 1.0  # la génération faite quand les données manquent : l'échelle nationale


def donnees_de_pilotage_presentes():
    """Les données synthétiques que les tableaux de bord lisent : établissements, lettres, enquêtes, grilles."""
    synthetiques = etablissements_synthetiques()
    return (
        synthetiques.exists()
        and LettreMission.objects.filter(etablissement__in=synthetiques).exists()
        and Participation.objects.filter(designation__etablissement__in=synthetiques).exists()
        and NiveauDomaine.objects.filter(etablissement__in=synthetiques).exists()
    )


def duree_des_selects(requetes):
    """Durée (s) de l'exécution directe, par le curseur, des SELECT d'une page (les écritures de session ne se
    rejouent pas), résultats lus jusqu'au bout."""
    debut = time.perf_counter()
    with connection.cursor() as curseur:
        for sql, params in requetes:
            if sql.lstrip().upper().startswith("SELECT"):
                curseur.execute(sql, params)
                curseur.fetchall()
    return time.perf_counter() - debut


@scenario("pilotage")
def mesurer_pilotage(mesures, parametres):
    """Tableaux de bord à l'échelle nationale : pour chaque page (académie la plus grande, son plus grand
    département, la liste de ses établissements sans lettre scellée, l'évolution, la comparaison nationale),
    temps serveur médian, temps médian des mêmes requêtes SQL exécutées directement, et leur rapport
    (objectif : 2 au plus). Génère les données synthétiques (échelle 1) si elles manquent."""
    verifier_base(mesures)
    if not donnees_de_pilotage_presentes():
        mesures.info("donnees", "absentes : génération à l'échelle nationale (plusieurs minutes)")
        debut = time.perf_counter()
        generer(
            Contexte(
                graine=1,
                echelle=ECHELLE_PILOTAGE,
                annees=5,
                progression=lambda texte: mesures.info("generation", texte),
            )
        )
        mesures.figure("generation_s", time.perf_counter() - debut, "s")
    academie = plus_grande_academie()
    annee = AnneeScolaire.objects.courante()
    dane = (
        Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}", roles__type=Role.Type.DANE, roles__academie=academie)
        .order_by("email")
        .first()
    )
    if dane is None or annee is None:
        raise MesureImpossible(f"Scénario « pilotage » : aucun compte DANE synthétique ou aucune année, {SANS_DONNEES}")
    departement = (
        Departement.objects.filter(academie=academie)
        .annotate(nombre=Count("etablissements"))
        .order_by("-nombre", "code")
        .first()
    )
    mesures.info("academie", f"{academie.code} {academie.nom}")
    mesures.info("departement", f"{departement.code} {departement.nom}")
    mesures.info("annee", annee.code)
    mesures.figure("etablissements_academie", academie.etablissements.filter(ouvert=True).count(), "établissements")
    mesures.figure("etablissements_national", Etablissement.objects.filter(ouvert=True).count(), "établissements")
    tableau_de_bord = reverse("pilotage:tableau_de_bord")
    pages_dane = {
        "academie": tableau_de_bord,
        "departement": f"{tableau_de_bord}?departement={departement.pk}",
        "etablissements": f"{reverse('pilotage:etablissements')}?liste=sans_lettre_scellee",
        "evolution": reverse("pilotage:evolution"),
    }

    def mesurer():
        resultats = mesurer_pages(dane, pages_dane, avec_sql=True, repetitions=REPETITIONS_PILOTAGE)
        national = Utilisateur.objects.create_user(email=f"national-mesure@{DOMAINE}")
        Role.objects.create(utilisateur=national, type=Role.Type.NATIONAL)
        return resultats | mesurer_pages(
            national, {"national": tableau_de_bord}, avec_sql=True, repetitions=REPETITIONS_PILOTAGE
        )

    try:
        _, resultats = mesure_annulee(mesurer)
    except MesureImpossible as erreur:
        raise MesureImpossible(f"Scénario « pilotage » : {erreur}") from None
    for nom, (mediane, nombre, sql) in resultats.items():
        mesures.figure(f"{nom}_ms", mediane * 1000, "ms")
        mesures.figure(f"{nom}_sql_ms", sql * 1000, "ms")
        mesures.figure(f"{nom}_requetes", nombre, "requêtes")
        ratio = mediane / sql
        mesures.figure(f"ratio_{nom}", ratio, "x")
        if ratio > OBJECTIF_RATIO_PILOTAGE:
            mesures.avertir(
                f"page « {nom} » : {ratio:.2f} fois le temps de ses requêtes (objectif {OBJECTIF_RATIO_PILOTAGE})."
            )
