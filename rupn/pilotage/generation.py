"""Données synthétiques à l'échelle nationale, pour mesurer les performances.

La génération est une suite d'étapes (`ETAPES`) : chacune crée ses lignes et sait
effacer celles d'une génération précédente. Les évolutions ultérieures (désignations,
courriers, enquêtes…) ajoutent leur étape à la fin de la liste ; l'effacement se fait
dans l'ordre inverse, avant toute création, ce qui rend la commande rejouable.

Chaque étape tire ses valeurs d'un `random.Random` qui ne dépend que de la graine et
du nom de l'étape : ajouter une étape ne change pas les données des précédentes.

Marques des données générées :
- établissements : nom commençant par `MARQUEUR` (« [Synthétique] ») ;
- bassins : libellé commençant par `MARQUEUR` ;
- personnes : adresse en `@synthetique.rupn.example` ; leurs rôles sont effacés avec elles ;
- désignations (et leurs changements d'état), enveloppes, lettres de mission (et leurs approbations et
  signatures) : celles des établissements synthétiques ;
  les collègues désignés en plus des RUPN ont une adresse `enseignant…@synthetique.rupn.example`.
Les années scolaires sont des données de référence : créées au besoin, jamais effacées.
"""

import csv
import datetime
import functools
import io
import itertools
import json
import random
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.deletion import CASCADE, DO_NOTHING, PROTECT, RESTRICT, SET_NULL
from django.utils import timezone

from enquetes import enquete_par_defaut
from enquetes.models import Enquete, Participation, Question, Reponse, Section
from enquetes.services import STATUTS_PARTICIPANTS
from missions.echeancier import mois_de_mission, montant_du
from missions.models import Designation, Enveloppe, TauxIMP, Transition
from rupn.comptes.models import Role, Utilisateur
from rupn.pilotage.generation_lettres import effacer_lettres, generer_lettres
from rupn.territoires.models import Academie, AnneeScolaire, Bassin, Departement, Etablissement
from rupn.territoires.validators import lettre_cle_uai

MARQUEUR = "[Synthétique] "
DOMAINE = "synthetique.rupn.example"
TAILLE_LOT = 1000

# Ordres de grandeur nationaux (établissements du second degré public et privé sous contrat).
TOTAL_NATIONAL = 11_400
PART_LYCEES = 4_300 / TOTAL_NATIONAL
PART_EREA = 100 / TOTAL_NATIONAL
PART_PRIVE = 1 / 3
PART_FERMES = 0.02
PART_DEUX_RUPN = 0.3
ETABLISSEMENTS_PAR_BASSIN = 40
DANE_PAR_ACADEMIE = 3
# Numéros d'UAI (4 chiffres après le préfixe du département) peu utilisés par les vrais
# établissements ; un UAI déjà en base est sauté.
NUMEROS_UAI = [*range(8000, 10_000), *range(5000, 8000)]

FICHIER_REFERENTIEL = Path(__file__).resolve().parent.parent / "territoires" / "data" / "academies_departements.csv"

NATURES = {
    "340": "COLLEGE",
    "370": "ETAB REGIONAL/LYCEE ENSEIGNEMENT ADAPTE",
    "300": "LYCEE ENSEIGNT GENERAL ET TECHNOLOGIQUE",
    "301": "LYCEE D ENSEIGNEMENT TECHNOLOGIQUE",
    "302": "LYCEE D ENSEIGNEMENT GENERAL",
    "306": "LYCEE POLYVALENT",
    "320": "LYCEE PROFESSIONNEL",
    "334": "SECTION D ENSEIGNEMENT PROFESSIONNEL",
    "335": "SECTION ENSEIGT GENERAL ET TECHNOLOGIQUE",
}
# Natures des lycées et poids (d'après l'annuaire de l'Occitanie, 2024).
NATURES_LYCEES = [("300", 22), ("301", 2), ("302", 9), ("306", 22), ("320", 25), ("334", 15), ("335", 5)]
NATURES_MERES = {"300", "302", "306"}
NATURES_SECTIONS = {"334", "335"}
INTITULES = {
    "340": "Collège",
    "370": "EREA",
    "300": "Lycée général et technologique",
    "301": "Lycée technologique",
    "302": "Lycée général",
    "306": "Lycée polyvalent",
    "320": "Lycée professionnel",
    "334": "SEP du",
    "335": "SEGT du",
}
PATRONS_PUBLICS = [
    "Jean Jaurès",
    "Jules Ferry",
    "Victor Hugo",
    "Louise Michel",
    "Marie Curie",
    "Jean Moulin",
    "Simone Veil",
    "Pierre de Fermat",
    "Olympe de Gouges",
    "Albert Camus",
    "George Sand",
    "Émile Zola",
    "Paul Langevin",
    "Lucie Aubrac",
    "Jacques Prévert",
    "Condorcet",
    "Voltaire",
    "Jean Rostand",
    "Antoine de Saint-Exupéry",
    "Gustave Eiffel",
    "Aimé Césaire",
    "Joséphine Baker",
    "Germaine Tillion",
    "Louis Pasteur",
    "Camille Claudel",
    "Romain Rolland",
    "Pablo Picasso",
    "Honoré de Balzac",
    "Françoise Dolto",
    "Frédéric Mistral",
    "les Tilleuls",
    "la Vallée",
    "le Val d'Ariane",
    "les Sources",
    "du Parc",
]
PATRONS_PRIVES = [
    "Sainte-Thérèse",
    "Saint-Joseph",
    "Notre-Dame",
    "Sainte-Marie",
    "Saint-Louis",
    "Jeanne d'Arc",
    "La Salle",
    "Saint-François",
    "Immaculée-Conception",
    "Saint-Jean",
    "Sainte-Famille",
    "Saint-Michel",
]
RACINES_COMMUNES = [
    "Villeneuve",
    "Beaumont",
    "Castelnau",
    "Fontaine",
    "Roquefort",
    "Montfort",
    "Belleville",
    "Saint-Martin",
    "Saint-Pierre",
    "Sainte-Croix",
    "Mirande",
    "Valence",
    "Bourg",
    "Champagne",
    "Montagnac",
    "Lavaur",
    "Rochemaure",
    "Clairvaux",
    "Bellegarde",
    "Vernet",
]
SUFFIXES_COMMUNES = [
    "",
    "-sur-Garonne",
    "-les-Bains",
    "-le-Haut",
    "-en-Vallée",
    "-la-Forêt",
    "-d'Aval",
    "-sur-Mer",
    "-le-Château",
    "-des-Prés",
]
PRENOMS = [
    "Camille",
    "Claire",
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Julie",
    "Aurélie",
    "Émilie",
    "Sandrine",
    "Céline",
    "Hélène",
    "Marion",
    "Nicolas",
    "Thomas",
    "Julien",
    "Sébastien",
    "Stéphane",
    "Christophe",
    "Laurent",
    "Olivier",
    "Pierre",
    "Mathieu",
    "François",
    "Éric",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
]


@dataclass
class Contexte:
    """Paramètres d'une génération, partagés par les étapes."""

    graine: int
    echelle: float
    annees: int
    progression: Callable[[str], None] = print
    jour: datetime.date = field(default_factory=timezone.localdate)

    @property
    def rentree_courante(self):
        return self.jour.year if self.jour.month >= 9 else self.jour.year - 1

    @property
    def rentrees(self):
        """Les `annees` dernières rentrées, jusqu'à la rentrée courante comprise."""
        return list(range(self.rentree_courante - self.annees + 1, self.rentree_courante + 1))

    @property
    def date_reference(self):
        """Date stable pendant toute l'année scolaire : les données ne dépendent pas du jour."""
        return datetime.date(self.rentree_courante, 9, 1)

    def aleatoire(self, *cles):
        return random.Random("/".join(str(cle) for cle in (self.graine, *cles)))


@dataclass(frozen=True)
class Etape:
    nom: str
    generer: Callable[[Contexte], dict]
    """Crée les données ; rend des comptes {libellé: nombre} pour le résumé."""
    effacer: Callable[[], int] | None = None
    """Efface les données d'une génération précédente ; rend le nombre de lignes effacées."""


def sans_accents(texte):
    return unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()


def uuid_aleatoire(aleatoire):
    return uuid.UUID(int=aleatoire.getrandbits(128), version=4)


def repartir(total, poids):
    """Répartit `total` selon `poids` (plus forts restes) ; rend une liste d'entiers."""
    somme = sum(poids)
    if not somme:
        return [0] * len(poids)
    exacts = [total * p / somme for p in poids]
    parts = [int(x) for x in exacts]
    restes = sorted(range(len(poids)), key=lambda i: (parts[i] - exacts[i], i))
    for i in restes[: total - sum(parts)]:
        parts[i] += 1
    return parts


def poids_departements():
    """Nombre de collèges de chaque département dans le fichier de géolocalisation."""
    with FICHIER_REFERENTIEL.open(encoding="utf-8") as fichier:
        return {
            ligne["code_departement"]: int(ligne["nb_colleges_in_geoloc_file"] or 0)
            for ligne in csv.DictReader(fichier, delimiter=";")
        }


def _creer_par_lots(modele, objets):
    for debut in range(0, len(objets), TAILLE_LOT):
        modele.objects.bulk_create(objets[debut : debut + TAILLE_LOT])
    return objets


def effacer_en_masse(queryset):
    """Efface les lignes de `queryset` et ce qui en dépend, par sous-requêtes SQL, sans charger
    les lignes en mémoire (le collecteur de Django met ~15 s pour 26 000 personnes).

    CASCADE, mais aussi PROTECT et RESTRICT : les lignes qui protègent sont effacées (pour une
    référence d'une table à elle-même, celles hors de l'ensemble) ; SET_NULL : mise à NULL ;
    DO_NOTHING : rien. Pas de signaux pre_delete/post_delete.
    Pour toute autre règle, on s'en remet au `delete()` de Django. Rend le nombre de lignes effacées.
    """
    modele = queryset.model
    total = 0
    for champ in modele._meta.local_many_to_many:
        lien = champ.remote_field.through
        total += lien._base_manager.filter(**{f"{champ.m2m_field_name()}__in": queryset}).delete()[0]
    for relation in modele._meta.related_objects:
        if relation.many_to_many:
            lien = relation.through
            nom = relation.field.m2m_reverse_field_name()
            total += lien._base_manager.filter(**{f"{nom}__in": queryset}).delete()[0]
            continue
        liees = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": queryset})
        if relation.on_delete is SET_NULL:
            liees.update(**{relation.field.name: None})
        elif relation.on_delete in (CASCADE, PROTECT, RESTRICT):
            if relation.related_model is modele:
                # Référence interne (une désignation en remplace une autre) : les lignes du dehors qui
                # pointent dans l'ensemble partent d'abord ; celles du dedans partent ensemble, les
                # clés étrangères étant vérifiées en fin de transaction (DEFERRABLE INITIALLY DEFERRED).
                liees = liees.exclude(pk__in=queryset)
                if not liees.exists():
                    continue
            total += effacer_en_masse(liees)
        elif relation.on_delete is not DO_NOTHING:
            return total + queryset.delete()[0]
    return total + queryset._raw_delete(queryset.db)


# --- Étape : années scolaires ----------------------------------------------------------


def generer_annees(contexte):
    for rentree in contexte.rentrees:
        AnneeScolaire.pour_rentree(rentree)
    return {"années scolaires": len(contexte.rentrees)}


# --- Étape : bassins de formation --------------------------------------------------------


def bassins_synthetiques():
    return Bassin.objects.filter(libelle__startswith=MARQUEUR)


def effacer_bassins():
    return effacer_en_masse(bassins_synthetiques())


def _effectifs(contexte):
    """Nombre d'établissements de chaque département : {code académie: {code département: n}}."""
    poids = poids_departements()
    moyenne = sum(poids.values()) / max(len(poids), 1)
    departements = {}
    for departement in Departement.objects.order_by("code"):
        departements.setdefault(departement.academie_id, []).append(departement)
    poids_academies = {pk: sum(poids.get(d.code, moyenne) for d in liste) for pk, liste in departements.items()}
    total_poids = sum(poids_academies.values())
    effectifs = {}
    for academie in Academie.objects.order_by("code"):
        liste = departements.get(academie.pk, [])
        if not liste:
            continue
        total = max(1, round(TOTAL_NATIONAL * contexte.echelle * poids_academies[academie.pk] / total_poids))
        parts = repartir(total, [poids.get(d.code, moyenne) for d in liste])
        effectifs[academie] = list(zip(liste, parts, strict=True))
    return effectifs


def generer_bassins(contexte):
    aleatoire = contexte.aleatoire("bassins")
    pris = set(Bassin.objects.values_list("code", flat=True))
    bassins = []
    for academie, departements in _effectifs(contexte).items():
        numero = 0
        for departement, nombre in departements:
            for _ in range(min(10, max(1, round(nombre / ETABLISSEMENTS_PAR_BASSIN)))):
                numero += 1
                while f"{academie.code}G{numero:03d}" in pris:
                    numero += 1
                ville = aleatoire.choice(RACINES_COMMUNES) + aleatoire.choice(SUFFIXES_COMMUNES)
                bassins.append(
                    Bassin(
                        code=f"{academie.code}G{numero:03d}",
                        libelle=f"{MARQUEUR}Bassin de {ville} ({departement.code})",
                        academie=academie,
                    )
                )
    _creer_par_lots(Bassin, bassins)
    contexte.progression(f"bassins : {len(bassins)} créés")
    return {"bassins": len(bassins)}


# --- Étape : établissements ---------------------------------------------------------------


def etablissements_synthetiques():
    return Etablissement.objects.filter(nom__startswith=MARQUEUR)


def effacer_etablissements():
    return effacer_en_masse(etablissements_synthetiques())


def _numeros_uai(departement, pris):
    """Les UAI libres du département, dans un ordre fixe (plusieurs départements d'outre-mer
    partagent un préfixe : chaque UAI donné est ajouté à `pris`)."""
    for numero in NUMEROS_UAI:
        sept = f"{departement.prefixe_uai or departement.code[-3:]:0>3}{numero:04d}"
        uai = sept + lettre_cle_uai(sept)
        if uai not in pris:
            pris.add(uai)
            yield uai


def _commune(aleatoire, departement, communes):
    numero = aleatoire.randrange(len(communes))
    if departement.code.startswith("0"):
        code = f"{departement.code[1:]}{numero + 1:03d}"
    else:
        code = f"{departement.code}{numero + 1:02d}"
    return code, communes[numero]


def _etablissements_du_departement(contexte, aleatoire, departement, nombre, uais, bassins):
    nb_communes = max(3, min(99, nombre // 2))
    communes = [
        f"{aleatoire.choice(RACINES_COMMUNES)}{aleatoire.choice(SUFFIXES_COMMUNES)}" for _ in range(nb_communes)
    ]
    natures, poids = zip(*NATURES_LYCEES, strict=True)
    etablissements = []
    for _ in range(nombre):
        tirage = aleatoire.random()
        if tirage < PART_EREA:
            type_, nature, secteur = Etablissement.Type.EREA, "370", Etablissement.Secteur.PUBLIC
        else:
            prive = aleatoire.random() < PART_PRIVE
            secteur = Etablissement.Secteur.PRIVE if prive else Etablissement.Secteur.PUBLIC
            if tirage < PART_EREA + PART_LYCEES:
                type_, nature = Etablissement.Type.LYCEE, aleatoire.choices(natures, poids)[0]
            else:
                type_, nature = Etablissement.Type.COLLEGE, "340"
        uai = next(uais)
        commune_code, commune = _commune(aleatoire, departement, communes)
        ouvert = aleatoire.random() >= PART_FERMES
        reference = contexte.date_reference
        etablissements.append(
            Etablissement(
                uuid=uuid_aleatoire(aleatoire),
                uai=uai,
                type=type_,
                nature_code=nature,
                nature_libelle=NATURES[nature],
                secteur=secteur,
                academie_id=departement.academie_id,
                departement=departement,
                bassin=aleatoire.choice(bassins) if bassins else None,
                commune_code=commune_code,
                commune=commune,
                email=f"ce.{uai.lower()}@{DOMAINE}",
                ouvert=ouvert,
                date_ouverture=datetime.date(aleatoire.randint(1960, 2015), 9, 1),
                date_fermeture=None if ouvert else reference - datetime.timedelta(days=aleatoire.randint(30, 1500)),
                date_maj_annuaire=reference - datetime.timedelta(days=aleatoire.randint(0, 600)),
            )
        )
    meres = [e for e in etablissements if e.nature_code in NATURES_MERES]
    for etablissement in etablissements:
        patrons = PATRONS_PRIVES if etablissement.secteur == Etablissement.Secteur.PRIVE else PATRONS_PUBLICS
        etablissement.nom = f"{INTITULES[etablissement.nature_code]} {aleatoire.choice(patrons)}"
    for section in etablissements:
        if section.nature_code not in NATURES_SECTIONS:
            continue
        candidates = [m for m in meres if m.secteur == section.secteur] or meres
        if not candidates:
            section.nature_code = "320"
            section.nature_libelle = NATURES["320"]
            section.nom = f"{INTITULES['320']} {aleatoire.choice(PATRONS_PUBLICS)}"
            continue
        mere = aleatoire.choice(candidates)
        section.etablissement_mere = mere
        section.type_rattachement = "FILIERE OU DEPARTEMENT OU SECTION"
        section.nom = f"{INTITULES[section.nature_code]} {mere.nom[0].lower()}{mere.nom[1:]}"
        section.commune_code, section.commune = mere.commune_code, mere.commune
        section.bassin = mere.bassin
    for etablissement in etablissements:
        etablissement.nom = MARQUEUR + etablissement.nom
    return etablissements


def generer_etablissements(contexte):
    aleatoire = contexte.aleatoire("etablissements")
    pris = set(Etablissement.objects.values_list("uai", flat=True))
    bassins_par_departement = {}
    for bassin in bassins_synthetiques().order_by("code"):
        code_departement = bassin.libelle.rsplit("(", 1)[-1].rstrip(")")
        bassins_par_departement.setdefault(code_departement, []).append(bassin)
    comptes = {"établissements": 0, "collèges": 0, "lycées": 0, "EREA": 0, "privés": 0, "sections": 0, "fermés": 0}
    effectifs = _effectifs(contexte)
    total = sum(n for departements in effectifs.values() for _, n in departements)
    for academie, departements in effectifs.items():
        meres, sections = [], []
        for departement, nombre in departements:
            uais = _numeros_uai(departement, pris)
            try:
                liste = _etablissements_du_departement(
                    contexte, aleatoire, departement, nombre, uais, bassins_par_departement.get(departement.code, [])
                )
            except StopIteration:
                raise ValueError(
                    f"plus de numéro d'UAI libre dans le département {departement.code} : réduisez l'échelle."
                ) from None
            for etablissement in liste:
                (sections if etablissement.etablissement_mere else meres).append(etablissement)
        # Les lycées de rattachement d'abord : leur clé sert aux sections.
        _creer_par_lots(Etablissement, meres)
        if any(m.pk is None for m in meres):
            ids = dict(Etablissement.objects.filter(academie=academie).values_list("uai", "pk"))
            for mere in meres:
                mere.pk = ids[mere.uai]
        for section in sections:
            section.etablissement_mere_id = section.etablissement_mere.pk
        _creer_par_lots(Etablissement, sections)
        for etablissement in meres + sections:
            comptes["établissements"] += 1
            comptes[{"college": "collèges", "lycee": "lycées", "erea": "EREA"}[etablissement.type]] += 1
            comptes["privés"] += etablissement.secteur == Etablissement.Secteur.PRIVE
            comptes["sections"] += etablissement.etablissement_mere_id is not None
            comptes["fermés"] += not etablissement.ouvert
        contexte.progression(
            f"établissements : académie {academie.code} {academie.nom}, {len(meres) + len(sections)} "
            f"({comptes['établissements']}/{total})"
        )
    return comptes


# --- Étape : personnes et rôles -----------------------------------------------------------


def utilisateurs_synthetiques():
    return Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}")


def effacer_personnes():
    return effacer_en_masse(utilisateurs_synthetiques())


def _personne(aleatoire, email):
    return Utilisateur(
        uuid=uuid_aleatoire(aleatoire),
        email=email,
        first_name=aleatoire.choice(PRENOMS),
        last_name=aleatoire.choice(NOMS),
        password="!synthetique",  # mot de passe inutilisable
        date_joined=timezone.make_aware(datetime.datetime(2020, 9, 1)),
    )


class _LotDePersonnes:
    """Les personnes et rôles d'une académie, créés ensemble par lots."""

    def __init__(self, aleatoire, academie, debuts):
        self.aleatoire, self.academie, self.debuts = aleatoire, academie, debuts
        self.utilisateurs, self.roles, self.departements_des_roles = [], [], []

    def ajouter(self, email, type_role, etablissement_id=None, departement=None, debut=None):
        """Ajoute une personne et son rôle (qui commence à `debut`, sinon à l'une des rentrées) ; rend le rôle."""
        utilisateur = _personne(self.aleatoire, email)
        self.utilisateurs.append(utilisateur)
        role = Role(
            uuid=uuid_aleatoire(self.aleatoire),
            utilisateur=utilisateur,
            type=type_role,
            etablissement_id=etablissement_id,
            academie=self.academie,
            debut=debut or self.aleatoire.choice(self.debuts),
        )
        self.roles.append(role)
        if departement:
            self.departements_des_roles.append((role, departement))
        return role

    def creer(self):
        _creer_par_lots(Utilisateur, self.utilisateurs)
        if any(u.pk is None for u in self.utilisateurs):
            ids = dict(utilisateurs_synthetiques().values_list("email", "pk"))
            for utilisateur in self.utilisateurs:
                utilisateur.pk = ids[utilisateur.email]
        for role in self.roles:
            role.utilisateur_id = role.utilisateur.pk
        _creer_par_lots(Role, self.roles)
        if any(r.pk is None for r in self.roles):
            ids = dict(Role.objects.filter(academie=self.academie).values_list("uuid", "pk"))
            for role in self.roles:
                role.pk = ids[role.uuid]
        lien = Role.departements.through
        lien.objects.bulk_create(
            [lien(role_id=role.pk, departement_id=d.pk) for role, d in self.departements_des_roles]
        )


def generer_personnes(contexte):
    aleatoire = contexte.aleatoire("personnes")
    debuts = [datetime.date(rentree, 9, 1) for rentree in contexte.rentrees]
    comptes = {"personnes": 0, "rôles": 0, "chefs": 0, "RUPN": 0, "DANE": 0, "correspondants": 0}
    for academie in Academie.objects.order_by("code"):
        lot = _LotDePersonnes(aleatoire, academie, debuts)
        etablissements = etablissements_synthetiques().filter(academie=academie, ouvert=True)
        for pk, uai in etablissements.order_by("uai").values_list("pk", "uai"):
            lot.ajouter(f"chef.{uai.lower()}@{DOMAINE}", Role.Type.CHEF, pk)
            comptes["chefs"] += 1
            for rang in range(1, 3 if aleatoire.random() < PART_DEUX_RUPN else 2):
                lot.ajouter(f"rupn{rang}.{uai.lower()}@{DOMAINE}", Role.Type.RUPN, pk)
                comptes["RUPN"] += 1
        for rang in range(1, DANE_PAR_ACADEMIE + 1):
            lot.ajouter(f"dane{rang}.ac{academie.code}@{DOMAINE}", Role.Type.DANE)
            comptes["DANE"] += 1
        for departement in academie.departements.order_by("code"):
            lot.ajouter(
                f"correspondant.{departement.code.lower()}@{DOMAINE}", Role.Type.CORRESPONDANT, None, departement
            )
            comptes["correspondants"] += 1
        lot.creer()
        comptes["personnes"] += len(lot.utilisateurs)
        comptes["rôles"] += len(lot.roles)
        contexte.progression(f"personnes : académie {academie.code} {academie.nom}, {len(lot.utilisateurs)}")
    return comptes


# --- Étape : désignations -----------------------------------------------------------------

Statut = Designation.Statut
PART_SANS_DESIGNATION = 0.1
"""Part des établissements ouverts sans aucune désignation une année donnée (couverture incomplète)."""
PART_ALLEGEMENTS = 0.03
PART_DEBUT_TARDIF = 0.08
PART_REMPLACES = 0.1
"""Part des missions des collègues ajoutés ici qui s'arrêtent en cours d'année passée (remplacement)."""
# Collègues désignés en plus des RUPN de l'étape « personnes » (1 ou 2 par établissement), selon leur
# nombre : environ 2 désignations par établissement couvert (Poitiers : 2,2 RUPN par établissement).
PREFIXE_COLLEGUES = "enseignant"
COLLEGUES_EN_PLUS = {1: ((0, 1, 2), (30, 50, 20)), 2: ((0, 1), (60, 40))}
POIDS_TAUX = {Decimal("312.50"): 3, Decimal("625"): 12, Decimal("1250"): 65, Decimal("2500"): 15, Decimal("3750"): 5}
HEURES_ALLEGEMENT = [Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("3")]
ETATS_ANNEE_PASSEE = ((Statut.VALIDEE, Statut.REFUSEE, Statut.ACCEPTEE), (94, 5, 1))
ETATS_ANNEE_EN_COURS = ((Statut.PROPOSEE, Statut.ACCEPTEE, Statut.VALIDEE, Statut.REFUSEE), (20, 25, 50, 5))
MOTIFS_REFUS = [
    "Pas disponible cette année.",
    "Charge de travail trop importante.",
    "Mutation demandée pour la rentrée prochaine.",
    "Je préfère laisser la place à un ou une collègue.",
]
# Le dernier changement d'état, seul journalisé : état précédent et auteur, selon l'état final.
DERNIER_CHANGEMENT = {
    Statut.PROPOSEE: ("", "chef"),
    Statut.ACCEPTEE: (Statut.PROPOSEE, "agent"),
    Statut.REFUSEE: (Statut.PROPOSEE, "agent"),
    Statut.VALIDEE: (Statut.ACCEPTEE, "dane"),
    Statut.TERMINEE: (Statut.VALIDEE, "chef"),
}


def designations_synthetiques():
    return Designation.objects.filter(etablissement__in=etablissements_synthetiques())


def collegues_synthetiques():
    """Les personnes que cette étape ajoute aux RUPN de l'étape « personnes »."""
    return utilisateurs_synthetiques().filter(email__startswith=PREFIXE_COLLEGUES)


def effacer_designations():
    return effacer_en_masse(designations_synthetiques()) + effacer_en_masse(collegues_synthetiques())


def _taux_autorises(annees):
    """{(académie, année): [(taux, montant annuel)]} : `TauxIMP.objects.autorises`, une requête par année."""
    autorises = {}
    for annee in annees:
        lignes = (
            TauxIMP.objects.en_vigueur(annee.debut)
            .filter(academies__isnull=False)
            .order_by("montant", "pk")
            .values_list("academies", "pk", "montant")
        )
        for academie_id, pk, montant in lignes:
            autorises.setdefault((academie_id, annee.pk), []).append((pk, montant))
    return autorises


# Peu de périodes et de taux différents : les calculs de l'échéancier se font une fois chacun.
_montant_du = functools.cache(montant_du)


@functools.cache
def _nb_mois(debut_annee, debut, fin):
    return len(mois_de_mission(debut_annee, debut, fin))


def _designation(aleatoire, annee, taux_possibles, public, *, statut, debut, fin, **champs):
    """Une désignation de la période, montant calculé comme à l'enregistrement (echeancier.py)."""
    if taux_possibles and aleatoire.random() >= PART_ALLEGEMENTS:
        poids = [POIDS_TAUX.get(montant, 1) for _, montant in taux_possibles]
        taux_id, montant_annuel = aleatoire.choices(taux_possibles, poids)[0]
        heures = None
    else:
        taux_id, montant_annuel, heures = None, None, aleatoire.choice(HEURES_ALLEGEMENT)
    nb_mois = _nb_mois(annee.debut, debut, fin)
    avis = None
    if statut in Designation.STATUTS_ACCEPTES:
        avis = debut - datetime.timedelta(days=aleatoire.randint(1, 60))
    return Designation(
        uuid=uuid_aleatoire(aleatoire),
        annee=annee,
        statut=statut,
        taux_id=taux_id,
        heures_allegement=heures,
        debut=debut,
        fin=fin,
        nb_mois=nb_mois,
        montant=_montant_du(montant_annuel, nb_mois) if taux_id else Decimal(0),
        avis_conseil_pedagogique=avis,
        avis_conseil_administration=avis if public else None,
        motif_refus=aleatoire.choice(MOTIFS_REFUS) if statut == Statut.REFUSEE else "",
        **champs,
    )


def _designations_d_un_etablissement(aleatoire, lot, annees, taux, etablissement, rupn, chef):
    """Les désignations de l'établissement, année après année : ses RUPN et les collègues ajoutés
    (personnes créées dans `lot`), renouvelés chaque année. Rend (désignations, remplacements)."""
    pk, uai, academie_id, secteur = etablissement
    numeros = itertools.count(1)

    def collegue(debut):
        email = f"{PREFIXE_COLLEGUES}{next(numeros)}.{uai.lower()}@{DOMAINE}"
        return lot.ajouter(email, Role.Type.RUPN, pk, debut=debut)

    equipe = list(rupn)  # identifiants des RUPN existants, rôles des collègues ajoutés
    valeurs, poids = COLLEGUES_EN_PLUS[min(max(len(equipe), 1), 2)]
    equipe += [collegue(annees[0].debut) for _ in range(aleatoire.choices(valeurs, poids)[0])]
    public = secteur == Etablissement.Secteur.PUBLIC
    designations, remplacements = [], []
    for annee in annees:
        if aleatoire.random() < PART_SANS_DESIGNATION:
            continue
        en_cours = annee is annees[-1]
        etats, poids = ETATS_ANNEE_EN_COURS if en_cours else ETATS_ANNEE_PASSEE
        possibles = taux.get((academie_id, annee.pk), [])
        for rang, membre in enumerate(equipe):
            statut = aleatoire.choices(etats, poids)[0]
            debut = annee.debut
            if aleatoire.random() < PART_DEBUT_TARDIF:
                debut = debut.replace(month=aleatoire.choice([10, 11]))
            remplace = (
                not en_cours
                and statut == Statut.VALIDEE
                and isinstance(membre, Role)
                and aleatoire.random() < PART_REMPLACES
            )
            fin = annee.fin
            if remplace:
                statut, fin = Statut.TERMINEE, debut + datetime.timedelta(days=aleatoire.randint(60, 240))
                membre.fin = fin
            agent = {"agent": membre.utilisateur} if isinstance(membre, Role) else {"agent_id": membre}
            designation = _designation(
                aleatoire,
                annee,
                possibles,
                public,
                statut=statut,
                debut=debut,
                fin=fin,
                etablissement_id=pk,
                cree_par_id=chef,
                **agent,
            )
            designations.append(designation)
            if remplace:
                equipe[rang] = collegue(fin + datetime.timedelta(days=1))
                remplacements.append(
                    _designation(
                        aleatoire,
                        annee,
                        possibles,
                        public,
                        statut=Statut.VALIDEE,
                        debut=fin + datetime.timedelta(days=1),
                        fin=annee.fin,
                        etablissement_id=pk,
                        cree_par_id=chef,
                        agent=equipe[rang].utilisateur,
                        remplace=designation,
                    )
                )
    return designations, remplacements


def _transition(aleatoire, designation, danes):
    de, auteur = DERNIER_CHANGEMENT[designation.statut]
    par = {"chef": designation.cree_par_id, "agent": designation.agent_id}.get(auteur)
    if auteur == "dane" and danes:
        par = aleatoire.choice(danes)
    commentaire = designation.motif_refus
    if designation.statut == Statut.TERMINEE:
        commentaire = f"Fin le {designation.fin:%d/%m/%Y}. Remplacement en cours d'année."
    return Transition(designation=designation, de=de, vers=designation.statut, par_id=par, commentaire=commentaire)


def generer_designations(contexte):
    """Les désignations de chaque établissement synthétique ouvert, pour chaque année, et leur
    dernier changement d'état ; académie par académie, par lots."""
    aleatoire = contexte.aleatoire("designations")
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in contexte.rentrees]
    taux = _taux_autorises(annees)
    roles = Role.objects.filter(utilisateur__in=utilisateurs_synthetiques()).order_by("utilisateur__email")
    chefs = dict(roles.filter(type=Role.Type.CHEF).values_list("etablissement_id", "utilisateur_id"))
    rupn, danes = {}, {}
    for etablissement_id, utilisateur_id in roles.filter(type=Role.Type.RUPN).values_list(
        "etablissement_id", "utilisateur_id"
    ):
        rupn.setdefault(etablissement_id, []).append(utilisateur_id)
    for academie_id, utilisateur_id in roles.filter(type=Role.Type.DANE).values_list("academie_id", "utilisateur_id"):
        danes.setdefault(academie_id, []).append(utilisateur_id)
    comptes = dict.fromkeys(
        [
            "désignations",
            "désignations de l'année en cours",
            "refus",
            "allègements",
            "remplacements",
            "collègues désignés",
            "transitions",
        ],
        0,
    )
    for academie in Academie.objects.order_by("code"):
        lot = _LotDePersonnes(aleatoire, academie, [annees[0].debut])
        designations, remplacements = [], []
        etablissements = (
            etablissements_synthetiques()
            .filter(academie=academie, ouvert=True)
            .order_by("uai")
            .values_list("pk", "uai", "academie_id", "secteur")
        )
        for etablissement in etablissements:
            d, r = _designations_d_un_etablissement(
                aleatoire, lot, annees, taux, etablissement, rupn.get(etablissement[0], []), chefs[etablissement[0]]
            )
            designations += d
            remplacements += r
        lot.creer()
        for designation in itertools.chain(designations, remplacements):
            designation.premier_mois_paiement = academie.premier_mois_paiement
        # Les remplacées d'abord : leur clé sert aux remplacements.
        _creer_par_lots(Designation, designations)
        _creer_par_lots(Designation, remplacements)
        toutes = designations + remplacements
        transitions = _creer_par_lots(
            Transition, [_transition(aleatoire, d, danes.get(academie.pk, [])) for d in toutes]
        )
        comptes["désignations"] += len(toutes)
        comptes["désignations de l'année en cours"] += sum(d.annee_id == annees[-1].pk for d in toutes)
        comptes["refus"] += sum(d.statut == Statut.REFUSEE for d in toutes)
        comptes["allègements"] += sum(d.taux_id is None for d in toutes)
        comptes["remplacements"] += len(remplacements)
        comptes["collègues désignés"] += len(lot.utilisateurs)
        comptes["transitions"] += len(transitions)
        contexte.progression(f"désignations : académie {academie.code} {academie.nom}, {len(toutes)}")
    return comptes


# --- Étape : enveloppes --------------------------------------------------------------------

PAS_ENVELOPPE = Decimal("312.50")
ENVELOPPE_SANS_DESIGNATION = Decimal("1250")
# Enveloppe / montant engagé : le plus souvent juste ce qu'il faut, parfois moins (dépassement).
FACTEURS_ENVELOPPE = [Decimal(f) for f in ("0.8", "1", "1", "1", "1.25", "1.5")]


def effacer_enveloppes():
    return effacer_en_masse(Enveloppe.objects.filter(etablissement__in=etablissements_synthetiques()))


def generer_enveloppes(contexte):
    """Une enveloppe par établissement ouvert et par année, proche du montant que ses désignations
    engagent, arrondie à 312,50 €."""
    aleatoire = contexte.aleatoire("enveloppes")
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in contexte.rentrees]
    engage = {
        (etablissement_id, annee_id): montant
        for etablissement_id, annee_id, montant in designations_synthetiques()
        .engagees()
        .order_by()
        .values("etablissement_id", "annee_id")
        .annotate(montant=Sum("montant"))
        .values_list("etablissement_id", "annee_id", "montant")
    }
    enveloppes = []
    for pk in etablissements_synthetiques().filter(ouvert=True).order_by("uai").values_list("pk", flat=True):
        for annee in annees:
            base = engage.get((pk, annee.pk)) or ENVELOPPE_SANS_DESIGNATION
            pas = (base * aleatoire.choice(FACTEURS_ENVELOPPE) / PAS_ENVELOPPE).to_integral_value(ROUND_HALF_UP)
            enveloppes.append(Enveloppe(etablissement_id=pk, annee=annee, montant=max(pas, 1) * PAS_ENVELOPPE))
    _creer_par_lots(Enveloppe, enveloppes)
    contexte.progression(f"enveloppes : {len(enveloppes)} créées")
    return {"enveloppes": len(enveloppes)}


# --- Étape : enquêtes de fin d'année -------------------------------------------------------------

PART_ENVOYEES = 0.6
PART_COMMENCEES = 0.2
"""Participations envoyées, commencées (les autres restent à remplir)."""
SECTION_ACADEMIE = {
    "titre": "Questions de l'académie",
    "description": "Les questions que l'académie ajoute à l'enquête par défaut.",
    "questions": [
        {
            "code": "usage_tablettes",
            "libelle": "Les tablettes de l'établissement sont-elles utilisées en classe ?",
            "type": "echelle",
            "aide": "1 : jamais, 5 : chaque semaine.",
        },
        {
            "code": "ateliers_parents",
            "libelle": "Combien d'ateliers avez-vous animés pour les parents ?",
            "type": "nombre",
        },
        {
            "code": "outils_collaboratifs",
            "libelle": "Quels outils collaboratifs les collègues utilisent-ils ?",
            "type": "choix_multiple",
            "options": ["Pad", "Tableur partagé", "Mur collaboratif", "Carte mentale", "Visioconférence"],
        },
    ],
}
# Bornes (minimum, maximum, mode) des nombres plausibles, par code ; les autres : de 0 à 10.
NOMBRES_ENQUETE = {
    "anciennete_rupn": (1, 15, 3),
    "temps_hebdomadaire": (1, 6, 2),
    "accompagnements": (0, 40, 8),
    "formations_animees": (0, 10, 2),
    "personnes_touchees": (0, 150, 30),
    "projets_pedagogiques": (0, 8, 2),
    "reunions_commission": (0, 6, 2),
    "actions_administration": (0, 120, 20),
    "signalements": (0, 30, 5),
    "formations_suivies": (0, 6, 2),
    "ateliers_parents": (0, 4, 0),
}
POIDS_ECHELLE = (5, 15, 30, 35, 15)
TEXTES_ENQUETE = {
    "discipline": [
        "Mathématiques",
        "Technologie",
        "Documentation",
        "Histoire-géographie",
        "Physique-chimie",
        "Lettres",
    ],
    "bilan_annee": [
        "Une année riche, avec beaucoup de demandes sur l'ENT.",
        "Année chargée : le temps manque pour accompagner tout le monde.",
        "Des collègues de plus en plus autonomes, c'est encourageant.",
        "Beaucoup de dépannage, trop peu de pédagogie.",
    ],
}
TEXTES_LIBRES = [
    "Former les nouveaux collègues à l'ENT dès la rentrée.",
    "Davantage de temps de concertation avec la direction.",
    "Les usages de l'intelligence artificielle inquiètent et intéressent.",
    "Le Wi-Fi reste le premier frein aux usages en classe.",
    "Un temps d'échange entre RUPN du bassin serait précieux.",
]


def enquetes_synthetiques():
    return Enquete.objects.filter(titre__startswith=MARQUEUR)


def effacer_enquetes():
    return effacer_en_masse(enquetes_synthetiques())


def _reponse_plausible(aleatoire, question):
    """Une réponse plausible à `question` (un dictionnaire de l'enquête par défaut), ou None (sans réponse)."""
    type_ = question["type"]
    if not question.get("obligatoire") and aleatoire.random() < (0.6 if type_ == "texte_long" else 0.08):
        return None
    if type_ == "choix_unique":
        options = question["options"]
        return aleatoire.choices(options, range(len(options) + 1, 1, -1))[0]
    if type_ == "choix_multiple":
        return [option for option in question["options"] if aleatoire.random() < 0.35] or [question["options"][0]]
    if type_ == "echelle":
        return aleatoire.choices(range(1, 6), POIDS_ECHELLE)[0]
    if type_ == "oui_non":
        return aleatoire.random() < 0.65
    if type_ == "nombre":
        minimum, maximum, mode = NOMBRES_ENQUETE.get(question["code"], (0, 10, 2))
        return round(aleatoire.triangular(minimum, maximum, mode))
    return aleatoire.choice(TEXTES_ENQUETE.get(question["code"], TEXTES_LIBRES))


def _enquete_synthetique(aleatoire, academie, annee, precedente):
    """L'enquête (par défaut, plus la section de l'académie), ses sections et ses questions ; rend
    (enquête, [(question, dictionnaire)])."""
    ouverture, cloture = datetime.date(annee.fin.year, 5, 15), datetime.date(annee.fin.year, 6, 30)
    aujourd_hui = timezone.localdate()
    if ouverture > aujourd_hui:
        # L'année en cours : une campagne ouverte depuis un mois (au plus tôt à la rentrée), pas encore close,
        # pour que rien ne soit daté du futur (lancement, envois, réponses).
        ouverture = max(annee.debut, aujourd_hui - datetime.timedelta(days=30))
        cloture = aujourd_hui + datetime.timedelta(days=30)
    enquete = Enquete.objects.create(
        uuid=uuid_aleatoire(aleatoire),
        academie=academie,
        annee=annee,
        titre=MARQUEUR + enquete_par_defaut.TITRE,
        introduction=enquete_par_defaut.INTRODUCTION,
        ouverture=ouverture,
        cloture=cloture,
        lancee_le=timezone.make_aware(datetime.datetime.combine(ouverture, datetime.time(8))),
        copie_de=precedente,
    )
    modeles = [*enquete_par_defaut.SECTIONS, SECTION_ACADEMIE]
    sections = Section.objects.bulk_create(
        [
            Section(enquete=enquete, titre=modele["titre"], description=modele["description"], ordre=rang)
            for rang, modele in enumerate(modeles, start=1)
        ]
    )
    questions = []
    for section, modele in zip(sections, modeles, strict=True):
        for rang, question in enumerate(modele["questions"], start=1):
            questions.append((Question(enquete=enquete, section=section, ordre=rang, **question), question))
    Question.objects.bulk_create([question for question, _ in questions])
    return enquete, questions


def _inserer_reponses(lignes, horodatage):
    """Écrit les réponses [(participation_id, question_id, valeur)] : COPY sur PostgreSQL (deux millions de
    lignes à l'échelle 1 : `bulk_create` y mettrait plusieurs minutes), `bulk_create` ailleurs."""
    if connection.vendor != "postgresql":
        _creer_par_lots(
            Reponse,
            [Reponse(participation_id=p, question_id=q, valeur=v, modifiee_le=horodatage) for p, q, v in lignes],
        )
        return
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon)
    quand = horodatage.isoformat()
    for participation_id, question_id, valeur in lignes:
        ecrivain.writerow((participation_id, question_id, json.dumps(valeur, ensure_ascii=False), quand))
    tampon.seek(0)
    with connection.cursor() as curseur:
        curseur.copy_expert(
            f"COPY {Reponse._meta.db_table} (participation_id, question_id, valeur, modifiee_le) "
            "FROM STDIN WITH (FORMAT csv)",
            tampon,
        )


def generer_enquetes(contexte):
    """Pour chaque académie et chaque année : une enquête de 40 questions (l'enquête par défaut et trois
    questions de l'académie, mêmes codes chaque année), une participation par désignation acceptée, validée
    ou terminée ; 60 % sont envoyées avec une réponse plausible à chaque question (les facultatives restent
    parfois vides), 20 % commencées (les premières sections), les autres à remplir. Une académie qui a déjà
    son enquête réelle pour une année n'en reçoit pas de synthétique."""
    aleatoire = contexte.aleatoire("enquêtes")
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in contexte.rentrees]
    reelles = set(Enquete.objects.values_list("academie_id", "annee_id"))
    comptes = dict.fromkeys(["enquêtes", "questions d'enquête", "participations", "envoyées", "réponses"], 0)
    for academie in Academie.objects.order_by("code"):
        precedente = None
        reponses_academie = 0
        for annee in annees:
            if (academie.pk, annee.pk) in reelles:
                precedente = None
                continue
            enquete, questions = _enquete_synthetique(aleatoire, academie, annee, precedente)
            debut_du_jour = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
            precedente = enquete
            designations = (
                designations_synthetiques()
                .filter(etablissement__academie=academie, annee=annee, statut__in=STATUTS_PARTICIPANTS)
                .order_by("uuid")
                .values_list("pk", flat=True)
            )
            participations = []
            for designation_id in designations:
                tirage = aleatoire.random()
                envoyee = tirage < PART_ENVOYEES
                soumise_le = None
                if envoyee:
                    soumise_le = min(
                        enquete.lancee_le + datetime.timedelta(minutes=aleatoire.randint(60, 46 * 24 * 60)),
                        debut_du_jour,  # jamais dans le futur, et la même pour deux générations du jour
                    )
                statut = (
                    Participation.Statut.SOUMISE
                    if envoyee
                    else Participation.Statut.EN_COURS
                    if tirage < PART_ENVOYEES + PART_COMMENCEES
                    else Participation.Statut.A_FAIRE
                )
                participations.append(
                    Participation(
                        uuid=uuid_aleatoire(aleatoire),
                        enquete=enquete,
                        designation_id=designation_id,
                        statut=statut,
                        soumise_le=soumise_le,
                        invitee_le=enquete.lancee_le,
                    )
                )
            _creer_par_lots(Participation, participations)
            if any(p.pk is None for p in participations):
                ids = dict(Participation.objects.filter(enquete=enquete).values_list("uuid", "pk"))
                for participation in participations:
                    participation.pk = ids[participation.uuid]
            lignes = []
            for participation in participations:
                if participation.statut == Participation.Statut.A_FAIRE:
                    continue
                posees = questions
                if participation.statut == Participation.Statut.EN_COURS:
                    derniere_section = aleatoire.randint(1, 4)
                    posees = [(q, d) for q, d in questions if q.section.ordre <= derniere_section]
                for question, modele in posees:
                    valeur = _reponse_plausible(aleatoire, modele)
                    if valeur is not None:
                        lignes.append((participation.pk, question.pk, valeur))
            _inserer_reponses(lignes, enquete.lancee_le)
            comptes["enquêtes"] += 1
            comptes["questions d'enquête"] += len(questions)
            comptes["participations"] += len(participations)
            comptes["envoyées"] += sum(p.statut == Participation.Statut.SOUMISE for p in participations)
            comptes["réponses"] += len(lignes)
            reponses_academie += len(lignes)
        contexte.progression(f"enquêtes : académie {academie.code} {academie.nom}, {reponses_academie} réponses")
    return comptes


ETAPES = [
    Etape("années scolaires", generer_annees),
    Etape("bassins", generer_bassins, effacer_bassins),
    Etape("établissements", generer_etablissements, effacer_etablissements),
    Etape("personnes", generer_personnes, effacer_personnes),
    Etape("désignations", generer_designations, effacer_designations),
    Etape("enveloppes", generer_enveloppes, effacer_enveloppes),
    Etape("lettres", generer_lettres, effacer_lettres),
    Etape("enquêtes", generer_enquetes, effacer_enquetes),
    Etape(
        "grilles de maturité",
        lambda contexte: _maturite().generer_maturite(contexte),
        lambda: _maturite().effacer_maturite(),
    ),
]


def _maturite():
    """Le module de l'étape des grilles de maturité, importé à l'appel : il s'appuie sur celui-ci."""
    from rupn.pilotage import generation_maturite

    return generation_maturite


def effacer(progression=print):
    """Efface les données synthétiques, dernière étape d'abord."""
    total = 0
    for etape in reversed(ETAPES):
        if etape.effacer:
            debut = time.perf_counter()
            nombre = etape.effacer()
            total += nombre
            if nombre:
                progression(f"effacement {etape.nom} : {nombre} lignes ({time.perf_counter() - debut:.1f} s)")
    return total


@transaction.atomic
def generer(contexte):
    """Remplace les données synthétiques par une génération neuve ; rend les comptes cumulés."""
    effacer(contexte.progression)
    comptes = {}
    for etape in ETAPES:
        debut = time.perf_counter()
        comptes.update(etape.generer(contexte))
        contexte.progression(f"étape {etape.nom} : {time.perf_counter() - debut:.1f} s")
    if connection.vendor == "postgresql":
        # Sans statistiques à jour (l'autovacuum passe plus tard), le planificateur croit les tables
        # presque vides : une page mesurée juste après passe de 0,2 à 4 s.
        debut = time.perf_counter()
        with connection.cursor() as curseur:
            curseur.execute("ANALYZE")
        contexte.progression(f"statistiques du planificateur (ANALYZE) : {time.perf_counter() - debut:.1f} s")
    return comptes
