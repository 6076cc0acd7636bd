"""Analyse des réponses à l'enquête de fin d'année (DANE, correspondant, national) : taux de réponse par
territoire et par type d'établissement, résultats question par question, comparaison avec l'enquête
précédente de l'académie (questions de même code).

Seules comptent les participations **envoyées** : une participation commencée peut encore changer et n'a
pas été remise. Le périmètre est celui du rôle actif (`Participation.objects.visible_to`) : le
correspondant ne voit que ses départements.

Le nombre de requêtes ne dépend pas de la taille de l'académie :
- `repartition` : les participations du périmètre comptées par (département, bassin, type, secteur), en
  une requête ; les filtres, le taux global et les taux par territoire se calculent ensuite sur ces
  quelques centaines de lignes (elles donnent aussi les choix des filtres) ;
- `_effectifs_des_reponses` : les réponses comptées par (question, valeur), en une requête. Pour un choix
  multiple, la valeur est la liste cochée (au plus 2ⁿ listes distinctes), répartie ensuite entre les
  choix ; pour un nombre, ses valeurs distinctes, dont les effectifs donnent somme, moyenne et médiane ;
  pour un texte, la valeur est remplacée par une valeur nulle dans la requête : on ne compte que les
  réponses ;
- `_apercu_des_textes` : les derniers textes de chaque question, en une requête (fonction de fenêtre) ;
  la liste complète d'une question se lit page par page (`textes_de`) ;
- l'enquête précédente, ses réponses et son taux : trois requêtes.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, JSONField, Q, Value, When, Window
from django.db.models.functions import RowNumber

from enquetes.construction import enquete_precedente
from enquetes.models import Participation, Question, Reponse, est_vide
from enquetes.services import STATUTS_PARTICIPANTS
from rupn.territoires.models import Etablissement

Type = Question.Type
TYPES_TEXTE = {Type.TEXTE_COURT, Type.TEXTE_LONG}
TEXTES_APERCU = 5
"""Textes libres montrés sous chaque question ; les autres se lisent page par page."""
ENVOYEE = Participation.Statut.SOUMISE
ETABLISSEMENT = "designation__etablissement__"
SANS_BASSIN = "Sans bassin"


def participations_du_perimetre(user, enquete):
    """Les participations à l'enquête que le rôle actif laisse voir (tous états), sans celles dont la
    désignation a été annulée ou refusée avant l'envoi : elles ne sont plus attendues. Une participation
    envoyée compte toujours : ses réponses ont été remises."""
    return Participation.objects.visible_to(user).filter(
        Q(designation__statut__in=STATUTS_PARTICIPANTS) | Q(statut=ENVOYEE), enquete=enquete
    )


# --- Filtres et répartition ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filtres:
    """Les filtres de la page et de l'export, par code : ils valent aussi pour l'enquête précédente.
    `rien` : un filtre refusé (hors périmètre) ; on ne montre alors rien plutôt que trop."""

    departement: str = ""
    bassin: str = ""
    type: str = ""
    secteur: str = ""
    rien: bool = False

    CHEMINS = {
        "departement": ETABLISSEMENT + "departement__code",
        "bassin": ETABLISSEMENT + "bassin__code",
        "type": ETABLISSEMENT + "type",
        "secteur": ETABLISSEMENT + "secteur",
    }

    def _valeurs(self):
        return {nom: getattr(self, nom) for nom in self.CHEMINS if getattr(self, nom)}

    @property
    def actifs(self):
        return self.rien or bool(self._valeurs())

    def appliquer(self, participations):
        if self.rien:
            return participations.none()
        return participations.filter(**{self.CHEMINS[nom]: valeur for nom, valeur in self._valeurs().items()})

    def retient(self, groupe):
        return not self.rien and all(getattr(groupe, nom) == valeur for nom, valeur in self._valeurs().items())


@dataclass(frozen=True)
class Groupe:
    """Des participations du même département, bassin, type et secteur d'établissement."""

    departement: str
    departement_nom: str
    bassin: str
    bassin_libelle: str
    type: str
    secteur: str
    participations: int
    envoyees: int


def repartition(participations):
    """Les participations comptées (toutes, envoyées) par département, bassin, type et secteur : une requête."""
    lignes = (
        participations.order_by()
        .values(
            g_departement=F(ETABLISSEMENT + "departement__code"),
            g_departement_nom=F(ETABLISSEMENT + "departement__nom"),
            g_bassin=F(ETABLISSEMENT + "bassin__code"),
            g_bassin_libelle=F(ETABLISSEMENT + "bassin__libelle"),
            g_type=F(ETABLISSEMENT + "type"),
            g_secteur=F(ETABLISSEMENT + "secteur"),
        )
        .annotate(n=Count("pk"), n_envoyees=Count("pk", filter=Q(statut=ENVOYEE)))
    )
    return [
        Groupe(
            departement=ligne["g_departement"],
            departement_nom=ligne["g_departement_nom"],
            bassin=ligne["g_bassin"] or "",
            bassin_libelle=ligne["g_bassin_libelle"] or "",
            type=ligne["g_type"],
            secteur=ligne["g_secteur"],
            participations=ligne["n"],
            envoyees=ligne["n_envoyees"],
        )
        for ligne in lignes
    ]


# --- Taux de réponse -----------------------------------------------------------------------------------


def pourcentage(partie, total):
    return 100 * partie / total if total else None


@dataclass
class Taux:
    """Participations envoyées sur participations, pour un territoire ou un type d'établissement."""

    libelle: str
    participations: int = 0
    envoyees: int = 0

    @property
    def pourcentage(self):
        return pourcentage(self.envoyees, self.participations)


@dataclass
class TableauDeTaux:
    titre: str
    colonne: str
    lignes: list


@dataclass
class TauxDeReponse:
    ensemble: Taux
    tableaux: list  # [TableauDeTaux] : par département, bassin, type, secteur


def _cumuler(groupes, cle, libelle):
    taux = {}
    for groupe in groupes:
        ligne = taux.setdefault(cle(groupe), Taux(libelle(groupe)))
        ligne.participations += groupe.participations
        ligne.envoyees += groupe.envoyees
    return taux


def taux_de_reponse(groupes):
    """Le taux global et les taux par département (ordre des codes), bassin (ordre alphabétique, les
    établissements sans bassin en dernier), type et secteur (ordre des choix)."""
    ensemble = Taux("Ensemble")
    for groupe in groupes:
        ensemble.participations += groupe.participations
        ensemble.envoyees += groupe.envoyees
    departements = _cumuler(groupes, lambda g: g.departement, lambda g: f"{g.departement} — {g.departement_nom}")
    bassins = _cumuler(groupes, lambda g: g.bassin, lambda g: g.bassin_libelle or SANS_BASSIN)
    types = _cumuler(groupes, lambda g: g.type, lambda g: Etablissement.Type(g.type).label)
    secteurs = _cumuler(groupes, lambda g: g.secteur, lambda g: Etablissement.Secteur(g.secteur).label)
    return TauxDeReponse(
        ensemble=ensemble,
        tableaux=[
            TableauDeTaux("Par département", "Département", [departements[c] for c in sorted(departements)]),
            TableauDeTaux(
                "Par bassin de formation",
                "Bassin",
                sorted(bassins.values(), key=lambda t: (t.libelle == SANS_BASSIN, t.libelle.casefold())),
            ),
            TableauDeTaux(
                "Par type d'établissement",
                "Type",
                [types[t] for t in Etablissement.Type.values if t in types],
            ),
            TableauDeTaux(
                "Par secteur", "Secteur", [secteurs[s] for s in Etablissement.Secteur.values if s in secteurs]
            ),
        ],
    )


# --- Réponses à une question ------------------------------------------------------------------------


def _est_nombre(valeur):
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


@dataclass
class Cumul:
    """Les réponses non vides à une question, comptées : par choix (choix, échelle, oui ou non) ou par
    valeur (nombre). Une valeur d'un autre type que celui de la question est ignorée."""

    type: str
    repondants: int = 0
    effectifs: Counter = field(default_factory=Counter)
    valeurs: Counter = field(default_factory=Counter)

    def ajouter(self, valeur, nombre):
        if est_vide(valeur):
            return
        if self.type == Type.CHOIX_MULTIPLE:
            for choix in valeur if isinstance(valeur, list) else [valeur]:
                self.effectifs[str(choix)] += nombre
        elif self.type == Type.CHOIX_UNIQUE:
            self.effectifs[str(valeur)] += nombre
        elif self.type == Type.ECHELLE:
            if not _est_nombre(valeur) or valeur not in range(1, 6):
                return
            self.effectifs[int(valeur)] += nombre
        elif self.type == Type.OUI_NON:
            if not isinstance(valeur, bool):
                return
            self.effectifs[valeur] += nombre
        elif self.type == Type.NOMBRE:
            if not _est_nombre(valeur):
                return
            self.valeurs[valeur] += nombre
        self.repondants += nombre

    def part(self, cle):
        return pourcentage(self.effectifs.get(cle, 0), self.repondants)

    @property
    def moyenne_echelle(self):
        if self.type != Type.ECHELLE or not self.repondants:
            return None
        return sum(note * nombre for note, nombre in self.effectifs.items()) / self.repondants

    @property
    def nombres(self):
        return statistiques(self.valeurs) if self.type == Type.NOMBRE else None


@dataclass
class Nombres:
    effectif: int
    somme: float
    moyenne: float
    mediane: float
    minimum: float
    maximum: float


def statistiques(valeurs):
    """Effectif, somme, moyenne, médiane, minimum et maximum de valeurs données par leurs effectifs
    ({valeur: nombre de réponses}) ; None sans valeur."""
    effectif = sum(valeurs.values())
    if not effectif:
        return None
    triees = sorted(valeurs.items())
    somme = sum(valeur * nombre for valeur, nombre in triees)
    # Médiane : la valeur de rang (effectif + 1) / 2, ou la moyenne des deux rangs du milieu.
    rangs = {(effectif - 1) // 2, effectif // 2}
    milieu, vus = [], 0
    for valeur, nombre in triees:
        milieu += [valeur] * sum(1 for rang in rangs if vus <= rang < vus + nombre)
        vus += nombre
    return Nombres(
        effectif=effectif,
        somme=somme,
        moyenne=somme / effectif,
        mediane=sum(milieu) / len(milieu),
        minimum=triees[0][0],
        maximum=triees[-1][0],
    )


@dataclass
class Barre:
    """Une ligne de graphique et de son tableau : un choix, une note, oui ou non."""

    libelle: str
    effectif: int
    pourcentage: float | None
    retire: bool = False  # un choix répondu qui n'est plus proposé


def _cles_et_libelles(type, options, *cumuls):
    """[(clé, libellé, retiré)] des barres d'une question : les choix proposés, puis ceux que des réponses
    citent sans qu'ils le soient encore (choix retirés, ou proposés l'an dernier seulement)."""
    if type == Type.ECHELLE:
        return [(note, f"{note} sur 5", False) for note in range(1, 6)]
    if type == Type.OUI_NON:
        return [(True, "Oui", False), (False, "Non", False)]
    if type in Question.TYPES_A_OPTIONS:
        autres = sorted({choix for cumul in cumuls for choix in cumul.effectifs} - set(options))
        return [(choix, choix, False) for choix in options] + [(choix, choix, True) for choix in autres]
    return []


def barres(question, cumul):
    return [
        Barre(libelle, cumul.effectifs.get(cle, 0), cumul.part(cle), retire)
        for cle, libelle, retire in _cles_et_libelles(question.type, question.options, cumul)
    ]


# --- Comparaison avec l'enquête précédente -----------------------------------------------------------


@dataclass
class LigneComparee:
    libelle: str
    actuel: float | None
    precedent: float | None
    en_points: bool  # pourcentages : l'écart se lit en points

    @property
    def ecart(self):
        if self.actuel is None or self.precedent is None:
            return None
        return self.actuel - self.precedent

    @property
    def unite_ecart(self):
        """« point » ou « points » (pluriel à partir de 2) pour un écart de pourcentages ; rien sinon."""
        if not self.en_points or self.ecart is None:
            return ""
        return "points" if abs(self.ecart) >= 2 else "point"


@dataclass
class Comparaison:
    repondants: int
    repondants_avant: int
    lignes: list = field(default_factory=list)
    raison: str = ""  # pourquoi la comparaison n'a pas de chiffres

    @property
    def ecart_repondants(self):
        return self.repondants - self.repondants_avant


def comparer(question, actuel, precedent, type_precedent):
    """La question comparée à celle de même code de l'enquête précédente : répondants ; pourcentage de
    chaque choix (ou de « oui ») ; moyenne d'une échelle ; moyenne et médiane d'un nombre."""
    if precedent is None:
        return Comparaison(actuel.repondants, 0, raison="Aucune réponse à une question de ce code l'an dernier.")
    if type_precedent != question.type:
        return Comparaison(
            actuel.repondants,
            precedent.repondants,
            raison=f"Question d'un autre type l'an dernier ({Type(type_precedent).label.lower()}) : "
            "seuls les effectifs se comparent.",
        )
    comparaison = Comparaison(actuel.repondants, precedent.repondants)
    if question.type in Question.TYPES_A_OPTIONS:
        comparaison.lignes = [
            LigneComparee(libelle, actuel.part(cle), precedent.part(cle), en_points=True)
            for cle, libelle, _ in _cles_et_libelles(question.type, question.options, actuel, precedent)
        ]
    elif question.type == Type.OUI_NON:
        comparaison.lignes = [LigneComparee("Oui", actuel.part(True), precedent.part(True), en_points=True)]
    elif question.type == Type.ECHELLE:
        comparaison.lignes = [
            LigneComparee("Moyenne (sur 5)", actuel.moyenne_echelle, precedent.moyenne_echelle, en_points=False)
        ]
    elif question.type == Type.NOMBRE:
        maintenant, avant = actuel.nombres, precedent.nombres
        comparaison.lignes = [
            LigneComparee(libelle, getattr(maintenant, nom, None), getattr(avant, nom, None), en_points=False)
            for nom, libelle in (("moyenne", "Moyenne"), ("mediane", "Médiane"))
        ]
    return comparaison


# --- Analyse d'une enquête ------------------------------------------------------------------------------


@dataclass
class Texte:
    texte: str
    etablissement: str


@dataclass
class Resultat:
    """Ce que la page montre d'une question."""

    question: Question
    envoyees: int
    cumul: Cumul
    barres: list = field(default_factory=list)
    textes: list = field(default_factory=list)
    comparaison: Comparaison | None = None

    @property
    def repondants(self):
        return self.cumul.repondants

    @property
    def part_repondants(self):
        return pourcentage(self.repondants, self.envoyees)

    @property
    def nombres(self):
        return self.cumul.nombres

    @property
    def moyenne(self):
        return self.cumul.moyenne_echelle

    @property
    def est_texte(self):
        return self.question.type in TYPES_TEXTE

    @property
    def textes_caches(self):
        return self.repondants - len(self.textes)


@dataclass
class Analyse:
    taux: TauxDeReponse
    sections: list  # [(section, [Resultat])]
    precedente: object = None  # l'enquête comparée
    taux_precedent: Taux | None = None


def _cle_regroupee():
    """La valeur d'une réponse, sauf pour un texte (null) : les textes se comptent sans être lus."""
    return Case(
        When(question__type__in=TYPES_TEXTE, then=Value(None, output_field=JSONField())),
        default=F("valeur"),
        output_field=JSONField(),
    )


def _effectifs_des_reponses(participations, cle_question):
    """{clé de la question: Cumul} des réponses des participations (déjà réduites aux envoyées), en
    une requête groupée par (question, valeur). `cle_question` : « question_id » ou « question__code »."""
    lignes = (
        Reponse.objects.filter(participation__in=participations.values("pk"), valeur__isnull=False)
        .order_by()
        .values(cle_question, "question__type", cle=_cle_regroupee())
        .annotate(n=Count("pk"))
        .values_list(cle_question, "question__type", "cle", "n")
    )
    cumuls = {}
    for question, type, valeur, nombre in lignes:
        cumul = cumuls.setdefault(question, Cumul(type))
        if type in TYPES_TEXTE:
            # Une chaîne vide ne devrait pas être enregistrée (forms_saisie la change en None) ; si elle
            # l'était, elle compterait ici : le test d'un texte vide en SQL coûterait plus qu'il ne sert.
            cumul.repondants += nombre
        else:
            cumul.ajouter(valeur, nombre)
    return cumuls


def _textes(reponses):
    return reponses.filter(valeur__isnull=False, question__type__in=TYPES_TEXTE).exclude(valeur="")


def _apercu_des_textes(participations, questions):
    """{question_id: [Texte]} : les TEXTES_APERCU réponses les plus récemment envoyées de chaque question
    de texte, en une requête (numérotation par question, fonction de fenêtre)."""
    if not questions:
        return {}
    lignes = (
        _textes(Reponse.objects.filter(participation__in=participations.values("pk"), question__in=questions))
        .annotate(
            rang=Window(
                RowNumber(),
                partition_by=[F("question_id")],
                order_by=[F("participation__soumise_le").desc(), F("pk").desc()],
            )
        )
        .filter(rang__lte=TEXTES_APERCU)
        .order_by("question_id", "rang")
        .values_list("question_id", "valeur", "participation__designation__etablissement__nom")
    )
    apercu = defaultdict(list)
    for question_id, valeur, etablissement in lignes:
        apercu[question_id].append(Texte(str(valeur), etablissement))
    return apercu


def textes_de(question, participations):
    """Toutes les réponses envoyées à une question de texte, les plus récentes d'abord (pour une pagination)."""
    return (
        _textes(Reponse.objects.filter(question=question, participation__in=participations.values("pk")))
        .order_by("-participation__soumise_le", "-pk")
        .values_list("valeur", "participation__designation__etablissement__nom")
    )


def envoyees(participations, filtres):
    return filtres.appliquer(participations.filter(statut=ENVOYEE))


def analyser(*, enquete, user, groupes, filtres):
    """L'analyse de l'enquête dans le périmètre de `user` : `groupes` est la `repartition` de ses
    participations (déjà calculée pour les choix des filtres)."""
    retenus = [groupe for groupe in groupes if filtres.retient(groupe)]
    taux = taux_de_reponse(retenus)
    participations = envoyees(participations_du_perimetre(user, enquete), filtres)
    questions = list(
        enquete.questions.select_related("section").order_by("section__ordre", "section_id", "ordre", "pk")
    )
    cumuls = _effectifs_des_reponses(participations, "question_id") if taux.ensemble.envoyees else {}
    a_lister = [q for q in questions if q.type in TYPES_TEXTE and cumuls.get(q.pk, Cumul(q.type)).repondants]
    textes = _apercu_des_textes(participations, a_lister)

    precedente = enquete_precedente(academie=enquete.academie, annee=enquete.annee)
    taux_precedent, cumuls_precedents = None, {}
    if precedente is not None:
        avant = filtres.appliquer(participations_du_perimetre(user, precedente))
        compte = avant.aggregate(n=Count("pk"), n_envoyees=Count("pk", filter=Q(statut=ENVOYEE)))
        taux_precedent = Taux(str(precedente.annee), compte["n"], compte["n_envoyees"])
        if taux_precedent.envoyees:
            cumuls_precedents = _effectifs_des_reponses(avant.filter(statut=ENVOYEE), "question__code")

    sections = []
    for question in questions:
        cumul = cumuls.get(question.pk, Cumul(question.type))
        if question.masquee and not cumul.repondants:
            continue
        resultat = Resultat(
            question=question,
            envoyees=taux.ensemble.envoyees,
            cumul=cumul,
            barres=barres(question, cumul),
            textes=textes.get(question.pk, []),
        )
        if taux_precedent is not None and taux_precedent.envoyees:
            precedent = cumuls_precedents.get(question.code)
            resultat.comparaison = comparer(question, cumul, precedent, precedent.type if precedent else None)
        if not sections or sections[-1][0] != question.section:
            sections.append((question.section, []))
        sections[-1][1].append(resultat)
    return Analyse(taux=taux, sections=sections, precedente=precedente, taux_precedent=taux_precedent)
