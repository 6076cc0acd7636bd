"""Positionnement sur la grille de maturité numérique et ses lectures (synthèse d'un établissement, distribution
d'une académie, par domaine et par territoire).

Règle du niveau atteint d'un domaine : le plus haut niveau N (1 à 3) tel que tous les items des niveaux 1 à N
du domaine sont « réalisé » ; 0 si un item de niveau 1 ne l'est pas (ou n'est pas renseigné). Un item « en
cours de réalisation » ne compte pas comme réalisé. Exemple : niveau 1 tout réalisé, un item de niveau 2 en
cours, niveau 3 tout réalisé → niveau 1.

Les items de la grille courante de l'académie comptent ; les positionnements sont relus par code (domaine, item)
et valent donc d'une version de la grille à l'autre ; ceux d'un item retiré de la grille ne comptent plus.

Le niveau de chaque domaine est gardé dans `NiveauDomaine` (une ligne par domaine dès qu'un item est renseigné
dans l'année, 0 pour un domaine sans item renseigné) : `positionner` le recalcule dans sa transaction, une
nouvelle version de la grille le recalcule pour l'année en cours (versions.py) ; les tableaux de bord et la
distribution le lisent par agrégation SQL."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, FilteredRelation, Q
from django.http import Http404

from rupn.comptes.models import Role
from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.maturite.models import Grille, Item, NiveauDomaine, Positionnement
from rupn.territoires.models import Academie, AnneeScolaire, Etablissement

NIVEAUX = (1, 2, 3)
CODES_DOMAINES = [code for code, _, _ in DOMAINES]
TITRES_DOMAINES = {code: titre for code, titre, _ in DOMAINES}
LOT_RECALCUL = 2000
"""Établissements recalculés ensemble par `recalculer_niveaux` (taille des listes `IN` et de la mémoire)."""


def niveau_atteint(items_par_niveau, realises_par_niveau):
    """Le niveau atteint (règle en tête du module) : `items_par_niveau[n]` items au niveau n, dont
    `realises_par_niveau[n]` réalisés."""
    atteint = 0
    for niveau in NIVEAUX:
        total = items_par_niveau.get(niveau, 0)
        if total == 0 or realises_par_niveau.get(niveau, 0) < total:
            break
        atteint = niveau
    return atteint


@dataclass
class GrilleLue:
    """Les items d'une version de la grille, réduits à ce que demande le calcul des niveaux."""

    niveaux: dict = field(default_factory=dict)  # (code du domaine, code de l'item) → niveau de l'item
    items_par_niveau: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))  # domaine → n → nb

    def ajouter(self, domaine_code, item_code, niveau):
        self.niveaux[domaine_code, item_code] = niveau
        self.items_par_niveau[domaine_code][niveau] += 1

    def niveaux_atteints(self, statuts):
        """{code du domaine: niveau atteint} pour les statuts {(domaine, item): statut} d'un établissement."""
        realises = defaultdict(lambda: defaultdict(int))
        for cle, statut in statuts.items():
            niveau = self.niveaux.get(cle)
            if niveau is not None and statut == Positionnement.Statut.REALISE:
                realises[cle[0]][niveau] += 1
        return {code: niveau_atteint(self.items_par_niveau[code], realises[code]) for code in CODES_DOMAINES}


def grilles_courantes(academie_ids):
    """{académie: GrilleLue} de la grille courante de chaque académie (créée au besoin, voir
    `GrilleQuerySet.courante`) ; deux requêtes de plus par académie qui n'avait pas encore de grille."""
    academie_ids = set(academie_ids)
    derniere = {}
    for academie_id, grille_id in (
        Grille.objects.filter(academie_id__in=academie_ids)
        .order_by("academie_id", "version")
        .values_list("academie_id", "pk")
    ):
        derniere[academie_id] = grille_id
    for academie in Academie.objects.filter(pk__in=academie_ids - set(derniere)):
        derniere[academie.pk] = Grille.objects.courante(academie).pk
    academie_de_la_grille = {grille_id: academie_id for academie_id, grille_id in derniere.items()}
    grilles = {academie_id: GrilleLue() for academie_id in derniere}
    for grille_id, domaine_code, item_code, niveau in Item.objects.filter(
        domaine__grille_id__in=academie_de_la_grille
    ).values_list("domaine__grille_id", "domaine__code", "code", "niveau"):
        grilles[academie_de_la_grille[grille_id]].ajouter(domaine_code, item_code, niveau)
    return grilles


def recalculer_niveaux(etablissement_ids, annee):
    """Recalcule les niveaux (`NiveauDomaine`) des établissements donnés pour l'année, d'après leurs
    positionnements et la grille courante de leur académie : cinq lignes par établissement qui a renseigné au
    moins un item, aucune pour les autres. En masse : par lots de `LOT_RECALCUL` établissements, quatre requêtes
    par lot (académies, positionnements, effacement, insertion) et deux pour les grilles."""
    ids = sorted(set(etablissement_ids))
    grilles = {}
    for debut in range(0, len(ids), LOT_RECALCUL):
        lot = ids[debut : debut + LOT_RECALCUL]
        academies = dict(Etablissement.objects.filter(pk__in=lot).values_list("pk", "academie_id"))
        manquantes = set(academies.values()) - set(grilles)
        if manquantes:
            grilles.update(grilles_courantes(manquantes))
        statuts = defaultdict(dict)  # établissement → (domaine, item) → statut
        for etablissement_id, domaine_code, item_code, statut in Positionnement.objects.filter(
            etablissement_id__in=lot, annee=annee
        ).values_list("etablissement_id", "item__domaine__code", "item__code", "statut"):
            statuts[etablissement_id][domaine_code, item_code] = statut
        NiveauDomaine.objects.filter(etablissement_id__in=lot, annee=annee).delete()
        NiveauDomaine.objects.bulk_create(
            [
                NiveauDomaine(etablissement_id=etablissement_id, annee=annee, domaine_code=code, niveau=niveau)
                for etablissement_id, les_statuts in statuts.items()
                for code, niveau in grilles[academies[etablissement_id]].niveaux_atteints(les_statuts).items()
            ],
            batch_size=1000,
        )


def peut_positionner(user, etablissement):
    """La direction (chef, adjoint) et le RUPN de l'établissement, dans leur rôle actif."""
    role = getattr(user, "role_actif", None)
    return role is not None and role.type in Role.TYPES_ETABLISSEMENT and role.etablissement_id == etablissement.pk


def positionner(*, etablissement, annee, item, statut, par):
    """Enregistre le statut d'un item pour l'établissement et l'année (crée ou met à jour) et recalcule les
    niveaux de l'établissement pour l'année. Hors du périmètre de `par` : 404 ; un item d'une autre grille que
    la grille courante de l'académie ou un statut inconnu : refusé.

    Le positionnement de l'année sur le même code d'item, enregistré avec une version précédente de la grille,
    est repris (il passe à l'item de la version courante) : un code n'a qu'un statut par année."""
    if not peut_positionner(par, etablissement):
        raise Http404("Cet établissement n'est pas dans votre périmètre.")
    if statut not in Positionnement.Statut.values:
        raise ValidationError({"statut": f"Statut inconnu : « {statut} »."})
    with transaction.atomic():
        # Le verrou range l'un après l'autre les enregistrements d'un même établissement (deux clics rapprochés) :
        # chacun recalcule les niveaux en voyant ce que l'autre a écrit.
        Etablissement.objects.select_for_update().get(pk=etablissement.pk)
        grille = Grille.objects.courante(etablissement.academie)
        if item.domaine.grille_id != grille.pk:
            raise ValidationError({"item": "Cet item n'appartient pas à la grille en vigueur de l'académie."})
        positionnement = Positionnement.objects.filter(
            etablissement=etablissement, annee=annee, item__domaine__code=item.domaine.code, item__code=item.code
        ).first() or Positionnement(etablissement=etablissement, annee=annee)
        positionnement.item, positionnement.statut, positionnement.modifie_par = item, statut, par
        positionnement.save()
        recalculer_niveaux([etablissement.pk], annee)
    return positionnement


def annee_precedente(annee):
    return AnneeScolaire.objects.filter(debut__lt=annee.debut).order_by("-debut").first()


def _statuts(etablissement, annee):
    """Statut de chaque item, par code stable (domaine, item), pour l'établissement et l'année."""
    if annee is None:
        return {}
    return {
        (domaine_code, item_code): statut
        for domaine_code, item_code, statut in Positionnement.objects.filter(
            etablissement=etablissement, annee=annee
        ).values_list("item__domaine__code", "item__code", "statut")
    }


def synthese(etablissement, annee):
    """Par domaine de la grille courante : ses items (avec leur statut), le niveau atteint, le nombre d'items
    réalisés et en cours, le niveau de l'année précédente (None si la grille n'y était pas remplie) et
    l'évolution. Les positionnements de l'an dernier sont relus par code d'item : ils valent d'une version à
    l'autre de la grille."""
    grille = Grille.objects.courante(etablissement.academie)
    domaines = grille.domaines.prefetch_related("items")
    statuts = _statuts(etablissement, annee)
    statuts_avant = _statuts(etablissement, annee_precedente(annee))
    resultat = []
    for domaine in domaines:
        items = list(domaine.items.all())
        par_niveau = defaultdict(int)
        realises = defaultdict(int)
        realises_avant = defaultdict(int)
        for item in items:
            cle = (domaine.code, item.code)
            par_niveau[item.niveau] += 1
            item.statut = statuts.get(cle, "")
            if item.statut == Positionnement.Statut.REALISE:
                realises[item.niveau] += 1
            if statuts_avant.get(cle) == Positionnement.Statut.REALISE:
                realises_avant[item.niveau] += 1
        niveau = niveau_atteint(par_niveau, realises)
        rempli_avant = any((domaine.code, item.code) in statuts_avant for item in items)
        niveau_avant = niveau_atteint(par_niveau, realises_avant) if rempli_avant else None
        resultat.append(
            {
                "domaine": domaine,
                "items": items,
                "niveau": niveau,
                "realises": sum(realises.values()),
                "en_cours": sum(1 for item in items if item.statut == Positionnement.Statut.EN_COURS),
                "total": len(items),
                "niveau_precedent": niveau_avant,
                "evolution": None if niveau_avant is None else niveau - niveau_avant,
            }
        )
    return resultat


def distribution(etablissements, annee):
    """Pour les établissements donnés (QuerySet) et l'année : le nombre d'établissements à chaque niveau
    (0 à 3) de chaque domaine, parmi ceux qui ont rempli la grille (au moins un item). Une requête (GROUP BY sur
    `NiveauDomaine`), quel que soit le nombre d'établissements et d'académies."""
    comptes = {code: [0, 0, 0, 0] for code in CODES_DOMAINES}
    for code, niveau, nombre in (
        NiveauDomaine.objects.filter(etablissement__in=etablissements, annee=annee)
        .order_by()
        .values_list("domaine_code", "niveau")
        .annotate(nombre=Count("pk"))
    ):
        if code in comptes:
            comptes[code][niveau] += nombre
    return {
        # Un établissement qui a rempli la grille a une ligne dans chacun des cinq domaines.
        "remplis": max(sum(niveaux) for niveaux in comptes.values()),
        "domaines": [
            {"code": code, "titre": TITRES_DOMAINES[code], "niveaux": comptes[code]} for code in CODES_DOMAINES
        ],
    }


def _nom_departement(nom, code):
    return f"{nom} ({code})"


def _nom_bassin(libelle):
    return libelle or "Sans bassin"


TERRITOIRES = {
    # territoire → (champs de l'établissement qui le nomment, fonction qui en fait le nom affiché)
    "departement": (("departement__nom", "departement__code"), _nom_departement),
    "bassin": (("bassin__libelle",), _nom_bassin),
}


def distribution_par_territoire(etablissements, annee, territoire):
    """Par département ou par bassin (`territoire`, clé de `TERRITOIRES`) des établissements donnés : leur
    nombre (ouverts), combien ont rempli la grille dans l'année et leur niveau moyen dans chaque domaine (None
    si aucun ne l'a remplie). Une requête (GROUP BY), quel que soit le nombre d'établissements."""
    champs, nommer = TERRITOIRES[territoire]
    moyennes = {
        f"moyenne_{rang}": Avg("niveaux__niveau", filter=Q(niveaux__domaine_code=code))
        for rang, code in enumerate(CODES_DOMAINES)
    }
    lignes = (
        etablissements.order_by()
        # Jointure aux seuls niveaux de l'année : au plus une ligne par domaine et par établissement.
        .alias(niveaux=FilteredRelation("niveaux_maturite", condition=Q(niveaux_maturite__annee=annee)))
        .values(f"{territoire}_id", *champs)
        .annotate(
            nombre=Count("pk", filter=Q(ouvert=True), distinct=True),
            # Chaque établissement qui a rempli la grille a une ligne dans chaque domaine : on compte le premier.
            remplis=Count("pk", filter=Q(niveaux__domaine_code=CODES_DOMAINES[0])),
            **moyennes,
        )
    )
    return sorted(
        (
            {
                "nom": nommer(*(ligne[champ] for champ in champs)),
                "etablissements": ligne["nombre"],
                "remplis": ligne["remplis"],
                "moyennes": [ligne[nom] for nom in moyennes],
            }
            # Un territoire aux seuls établissements fermés n'est montré que si l'un d'eux a rempli la grille.
            for ligne in lignes
            if ligne["nombre"] or ligne["remplis"]
        ),
        key=lambda ligne: ligne["nom"],
    )
