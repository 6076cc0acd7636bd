"""Les indicateurs du pilotage : chiffres d'un ensemble d'établissements pour une année, ventilés par
territoire, type ou secteur ; séries sur les années ; listes d'établissements derrière chaque chiffre.

Tout est agrégé par la base (GROUP BY, EXISTS) : un nombre constant de requêtes quel que soit le volume, et
rien n'est gardé en cache (les chiffres sont ceux de l'instant). Chaque chiffre additif est compté par groupe ;
la ligne « Total » est la somme des groupes, ce qui la garde cohérente avec le tableau qu'elle termine.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from enquetes.models import Participation
from enquetes.services import STATUTS_PARTICIPANTS
from lettres.models import LettreMission
from missions.models import Designation, Enveloppe
from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.maturite.models import NiveauDomaine
from rupn.territoires.models import Etablissement

Statut = Designation.Statut
STATUTS_EN_POSTE = Designation.STATUTS_EN_POSTE
# Une désignation qui engage l'IMP (DesignationQuerySet.engagees), en condition d'agrégat.
ENGAGEE = ~Q(statut__in=Designation.STATUTS_CLOS_SANS_SUITE)
# Les états d'une lettre en cours de vie ; une lettre annulée ou remplacée ne compte plus.
STATUTS_LETTRE = [
    LettreMission.Statut.BROUILLON,
    LettreMission.Statut.RELECTURE,
    LettreMission.Statut.SIGNATURE,
    LettreMission.Statut.SCELLEE,
]


# Les ensembles d'établissements qu'un chiffre compte, et qu'un lien ouvre (page des établissements).


def _designations(annee):
    return Designation.objects.filter(etablissement=OuterRef("pk"), annee=annee)


def _participations(annee):
    # La désignation d'une participation est de l'année de son enquête : filtrer aussi sur elle laisse la base
    # ne parcourir que les désignations de l'année de chaque établissement.
    return Participation.objects.filter(
        designation__etablissement=OuterRef("pk"), designation__annee=annee, enquete__annee=annee
    )


def _avec_rupn(annee):
    return Exists(_designations(annee).acceptees())


def _sans_lettre_scellee(annee):
    """Une désignation à couvrir (acceptée ou validée) qu'aucune lettre scellée ne tient."""
    scellee = LettreMission.objects.filter(statut=LettreMission.Statut.SCELLEE, designations=OuterRef("pk"))
    return Exists(_designations(annee).filter(statut__in=STATUTS_EN_POSTE).exclude(Exists(scellee)))


def _compte_rendu_attendu(annee):
    return Exists(
        _participations(annee)
        .filter(designation__statut__in=STATUTS_PARTICIPANTS)
        .exclude(statut=Participation.Statut.SOUMISE)
    )


def _compte_rendu_non_lu(annee):
    return Exists(_participations(annee).filter(statut=Participation.Statut.SOUMISE, lue_le__isnull=True))


def _grille_remplie(annee):
    return Exists(NiveauDomaine.objects.filter(etablissement=OuterRef("pk"), annee=annee))


@dataclass(frozen=True)
class Liste:
    """Un ensemble d'établissements : son titre, sa condition (fonction de l'année ; None : tous) et la relance
    qui lui convient (None : aucune)."""

    titre: str
    condition: object = None
    negation: bool = False
    relance: str | None = None

    def filtrer(self, etablissements, annee):
        if self.condition is None:
            return etablissements
        condition = self.condition(annee)
        return etablissements.exclude(condition) if self.negation else etablissements.filter(condition)


LISTES = {
    "tous": Liste("Établissements du périmètre"),
    "avec_rupn": Liste("Établissements avec un RUPN", _avec_rupn),
    "sans_rupn": Liste("Établissements sans RUPN", _avec_rupn, negation=True, relance="couverture"),
    "sans_lettre_scellee": Liste(
        "Établissements avec des désignations mais sans lettre scellée", _sans_lettre_scellee, relance="lettre"
    ),
    "compte_rendu_attendu": Liste(
        "Établissements dont un compte-rendu est attendu", _compte_rendu_attendu, relance="rupn"
    ),
    "compte_rendu_non_lu": Liste(
        "Établissements dont un compte-rendu attend la direction", _compte_rendu_non_lu, relance="compte_rendu"
    ),
    "grille_remplie": Liste("Établissements qui ont rempli la grille de maturité", _grille_remplie),
    "grille_non_remplie": Liste(
        "Établissements qui n'ont pas rempli la grille de maturité", _grille_remplie, negation=True, relance="maturite"
    ),
}
# Les listes comptées dans la requête des établissements (les autres s'en déduisent par différence).
LISTES_COMPTEES = ("avec_rupn", "sans_lettre_scellee", "compte_rendu_attendu", "compte_rendu_non_lu", "grille_remplie")


# Ventilations


@dataclass(frozen=True)
class Ventilation:
    """Une façon de grouper les établissements : `champs` de l'établissement (le premier est la clé du groupe)."""

    titre: str
    champs: tuple
    choix: dict | None = None  # libellés d'un champ à choix (type, secteur)

    @property
    def cle(self):
        return self.champs[0]

    def libelle(self, valeurs):
        if self.choix is not None:
            return str(self.choix.get(valeurs[0], valeurs[0]))
        if valeurs[0] is None:
            return "Sans bassin"
        return " — ".join(str(valeur) for valeur in valeurs[1:])


VENTILATIONS = {
    "academie": Ventilation("Académie", ("academie__code", "academie__nom")),
    "departement": Ventilation("Département", ("departement_id", "departement__code", "departement__nom")),
    "bassin": Ventilation("Bassin de formation", ("bassin_id", "bassin__libelle")),
    "type": Ventilation("Type d'établissement", ("type",), dict(Etablissement.Type.choices)),
    "secteur": Ventilation("Secteur", ("secteur",), dict(Etablissement.Secteur.choices)),
}


# Chiffres


CHIFFRES = (
    "etablissements",
    *LISTES_COMPTEES,
    "rupn_en_poste",
    "imp_engagee",
    "enveloppes",
    *(f"lettres_{statut}" for statut in STATUTS_LETTRE),
    "participations_dues",
    "comptes_rendus_envoyes",
    "comptes_rendus_lus",
)


def pourcentage(partie, tout):
    """La part en pour cent, au dixième ; None quand il n'y a rien à rapporter."""
    return round(100 * partie / tout, 1) if tout else None


@dataclass
class Chiffres:
    """Les chiffres d'un groupe d'établissements (ou de tous : la ligne « Total »)."""

    cle: object = None
    libelle: str = "Total"
    valeurs: dict = field(default_factory=lambda: dict.fromkeys(CHIFFRES, 0))

    def __getattr__(self, nom):
        try:
            return self.__dict__["valeurs"][nom]
        except KeyError:
            raise AttributeError(nom) from None

    def ajouter(self, autre):
        for cle, valeur in autre.valeurs.items():
            self.valeurs[cle] += valeur

    @property
    def sans_rupn(self):
        return self.etablissements - self.avec_rupn

    @property
    def grille_non_remplie(self):
        return self.etablissements - self.grille_remplie

    @property
    def taux_couverture(self):
        return pourcentage(self.avec_rupn, self.etablissements)

    @property
    def taux_reponse(self):
        return pourcentage(self.comptes_rendus_envoyes, self.participations_dues)

    @property
    def taux_lecture(self):
        return pourcentage(self.comptes_rendus_lus, self.comptes_rendus_envoyes)

    @property
    def taux_grille(self):
        return pourcentage(self.grille_remplie, self.etablissements)

    @property
    def part_enveloppes(self):
        return pourcentage(self.imp_engagee, self.enveloppes)


def _par_groupe(lignes, cle):
    """{clé du groupe: {chiffre: valeur}} depuis des lignes .values(cle, ...).annotate(...)."""
    return {ligne.pop(cle): ligne for ligne in lignes}


def chiffres_par_groupe(etablissements, annee, ventilation, groupes_attendus=()):
    """Les chiffres de chaque groupe de `ventilation` parmi `etablissements` (QuerySet filtré par le périmètre
    et les filtres de la page), dans l'ordre des libellés, et leur total. Six requêtes. `groupes_attendus` :
    (clé, libellé) des groupes à montrer même sans établissement (une académie pas encore importée)."""
    cle = ventilation.cle
    via = f"etablissement__{cle}"
    groupes = {valeur: Chiffres(cle=valeur, libelle=libelle) for valeur, libelle in groupes_attendus}
    for ligne in (
        etablissements.order_by()
        .values(*ventilation.champs)
        .annotate(
            etablissements=Count("pk"),
            **{nom: Count("pk", filter=LISTES[nom].condition(annee)) for nom in LISTES_COMPTEES},
        )
    ):
        valeurs = tuple(ligne.pop(champ) for champ in ventilation.champs)
        chiffres = Chiffres(cle=valeurs[0], libelle=ventilation.libelle(valeurs))
        chiffres.valeurs.update(ligne)
        groupes[valeurs[0]] = chiffres

    designations = Designation.objects.filter(annee=annee, etablissement__in=etablissements)
    par_designations = _par_groupe(
        designations.order_by()
        .values(via)
        .annotate(
            rupn_en_poste=Count("pk", filter=Q(statut__in=STATUTS_EN_POSTE)),
            imp_engagee=Sum("montant", filter=ENGAGEE),
        ),
        via,
    )
    par_enveloppes = _par_groupe(
        Enveloppe.objects.filter(annee=annee, etablissement__in=etablissements)
        .order_by()
        .values(via)
        .annotate(enveloppes=Sum("montant")),
        via,
    )
    par_lettres = defaultdict(dict)
    for ligne in (
        LettreMission.objects.filter(annee=annee, etablissement__in=etablissements, statut__in=STATUTS_LETTRE)
        .order_by()
        .values(via, "statut")
        .annotate(nombre=Count("pk"))
    ):
        par_lettres[ligne[via]][f"lettres_{ligne['statut']}"] = ligne["nombre"]
    via_participation = f"designation__{via}"
    envoyee = Q(designation__statut__in=STATUTS_PARTICIPANTS, statut=Participation.Statut.SOUMISE)
    par_participations = _par_groupe(
        Participation.objects.filter(enquete__annee=annee, designation__etablissement__in=etablissements)
        .order_by()
        .values(via_participation)
        .annotate(
            participations_dues=Count("pk", filter=Q(designation__statut__in=STATUTS_PARTICIPANTS)),
            comptes_rendus_envoyes=Count("pk", filter=envoyee),
            comptes_rendus_lus=Count("pk", filter=envoyee & Q(lue_le__isnull=False)),
        ),
        via_participation,
    )
    for source in (par_designations, par_enveloppes, par_lettres, par_participations):
        for valeur_cle, valeurs in source.items():
            groupes[valeur_cle].valeurs.update({nom: valeur or 0 for nom, valeur in valeurs.items()})

    lignes = sorted(groupes.values(), key=lambda chiffres: (chiffres.libelle == "Sans bassin", chiffres.libelle))
    total = Chiffres()
    for chiffres in lignes:
        total.ajouter(chiffres)
    return lignes, total


# Maturité


def maturite_par_domaine(etablissements, annee):
    """Par domaine de la grille : le nombre d'établissements à chaque niveau (0 à 3) parmi ceux qui ont rempli la
    grille cette année. Une requête."""
    comptes = defaultdict(lambda: [0, 0, 0, 0])
    for code, niveau, nombre in (
        NiveauDomaine.objects.filter(annee=annee, etablissement__in=etablissements)
        .order_by()
        .values_list("domaine_code", "niveau")
        .annotate(nombre=Count("pk"))
    ):
        comptes[code][niveau] += nombre
    return [(code, titre, comptes[code]) for code, titre, _ in DOMAINES]


# Séries sur les années


@dataclass
class Annee:
    annee: object
    avec_rupn: int = 0
    rupn_en_poste: int = 0
    imp_engagee: Decimal = Decimal(0)
    lettres_scellees: int = 0
    participations_dues: int = 0
    comptes_rendus_envoyes: int = 0
    etablissements: int = 0

    @property
    def taux_couverture(self):
        return pourcentage(self.avec_rupn, self.etablissements)

    @property
    def taux_reponse(self):
        return pourcentage(self.comptes_rendus_envoyes, self.participations_dues)


def series(etablissements, annees):
    """Pour chaque année de `annees` (dans l'ordre) : établissements couverts, RUPN en poste, IMP engagée, lettres
    scellées, taux de réponse. Le taux de couverture rapporte les établissements couverts aux établissements
    d'aujourd'hui (`etablissements`) : l'annuaire ne garde pas ceux d'hier. Quatre requêtes."""
    nombre = etablissements.count()
    par_annee = {annee.pk: Annee(annee=annee, etablissements=nombre) for annee in annees}
    for ligne in (
        Designation.objects.filter(annee__in=par_annee, etablissement__in=etablissements)
        .order_by()
        .values("annee_id")
        .annotate(
            avec_rupn=Count("etablissement", distinct=True, filter=Q(statut__in=Designation.STATUTS_ACCEPTES)),
            rupn_en_poste=Count("pk", filter=Q(statut__in=STATUTS_EN_POSTE)),
            imp_engagee=Sum("montant", filter=ENGAGEE),
        )
    ):
        annee = par_annee[ligne.pop("annee_id")]
        for nom, valeur in ligne.items():
            setattr(annee, nom, valeur or 0)
    for annee_id, scellees in (
        LettreMission.objects.filter(
            annee__in=par_annee, etablissement__in=etablissements, statut=LettreMission.Statut.SCELLEE
        )
        .order_by()
        .values_list("annee_id")
        .annotate(nombre=Count("pk"))
    ):
        par_annee[annee_id].lettres_scellees = scellees
    for annee_id, dues, envoyees in (
        Participation.objects.filter(
            enquete__annee__in=par_annee,
            designation__etablissement__in=etablissements,
            designation__statut__in=STATUTS_PARTICIPANTS,
        )
        .order_by()
        .values_list("enquete__annee_id")
        .annotate(dues=Count("pk"), envoyees=Count("pk", filter=Q(statut=Participation.Statut.SOUMISE)))
    ):
        par_annee[annee_id].participations_dues = dues
        par_annee[annee_id].comptes_rendus_envoyes = envoyees
    return list(par_annee.values())


def maturite_sur_les_annees(etablissement, annees):
    """Le niveau atteint dans chaque domaine pour chacune des `annees` (None : grille non remplie cette
    année-là) : [(titre du domaine, [niveau ou None, …])]. Une requête."""
    niveaux = {
        (code, annee_id): niveau
        for code, annee_id, niveau in NiveauDomaine.objects.filter(
            etablissement=etablissement, annee__in=annees
        ).values_list("domaine_code", "annee_id", "niveau")
    }
    return [(titre, [niveaux.get((code, annee.pk)) for annee in annees]) for code, titre, _ in DOMAINES]
