"""Positionnement sur la grille de maturité numérique et ses lectures (synthèse d'un établissement, distribution
d'une académie).

Règle du niveau atteint d'un domaine : le plus haut niveau N (1 à 3) tel que tous les items des niveaux 1 à N
du domaine sont « réalisé » ; 0 si un item de niveau 1 ne l'est pas (ou n'est pas renseigné). Un item « en
cours de réalisation » ne compte pas comme réalisé. Exemple : niveau 1 tout réalisé, un item de niveau 2 en
cours, niveau 3 tout réalisé → niveau 1."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from rupn.comptes.models import Role
from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.maturite.models import Grille, Item, Positionnement
from rupn.territoires.models import AnneeScolaire

NIVEAUX = (1, 2, 3)


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


def peut_positionner(user, etablissement):
    """La direction (chef, adjoint) et le RUPN de l'établissement, dans leur rôle actif."""
    role = getattr(user, "role_actif", None)
    return role is not None and role.type in Role.TYPES_ETABLISSEMENT and role.etablissement_id == etablissement.pk


def positionner(*, etablissement, annee, item, statut, par):
    """Enregistre le statut d'un item pour l'établissement et l'année (crée ou met à jour). Hors du périmètre de
    `par` : 404 ; un item d'une autre grille que la grille courante de l'académie ou un statut inconnu : refusé."""
    if not peut_positionner(par, etablissement):
        raise Http404("Cet établissement n'est pas dans votre périmètre.")
    if statut not in Positionnement.Statut.values:
        raise ValidationError({"statut": f"Statut inconnu : « {statut} »."})
    with transaction.atomic():
        grille = Grille.objects.courante(etablissement.academie)
        if item.domaine.grille_id != grille.pk:
            raise ValidationError({"item": "Cet item n'appartient pas à la grille en vigueur de l'académie."})
        positionnement, _ = Positionnement.objects.update_or_create(
            etablissement=etablissement,
            annee=annee,
            item=item,
            defaults={"statut": statut, "modifie_par": par},
        )
    return positionnement


def annee_precedente(annee):
    return AnneeScolaire.objects.filter(debut__lt=annee.debut).order_by("-debut").first()


def _statuts(etablissement, annee):
    """Statut de chaque item (par code stable) pour l'établissement et l'année."""
    if annee is None:
        return {}
    return dict(
        Positionnement.objects.filter(etablissement=etablissement, annee=annee).values_list("item__code", "statut")
    )


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
        for item in items:
            par_niveau[item.niveau] += 1
            item.statut = statuts.get(item.code, "")
        realises = defaultdict(int)
        realises_avant = defaultdict(int)
        for item in items:
            if item.statut == Positionnement.Statut.REALISE:
                realises[item.niveau] += 1
            if statuts_avant.get(item.code) == Positionnement.Statut.REALISE:
                realises_avant[item.niveau] += 1
        niveau = niveau_atteint(par_niveau, realises)
        rempli_avant = any(item.code in statuts_avant for item in items)
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
    (0 à 3) de chaque domaine, parmi ceux qui ont rempli la grille (au moins un item). En deux requêtes, quel
    que soit le nombre d'établissements et d'académies. Chaque positionnement compte dans le domaine et au
    niveau de l'item enregistré (la grille de son académie en vigueur cette année-là)."""
    lignes = Positionnement.objects.filter(etablissement__in=etablissements, annee=annee).values_list(
        "etablissement_id", "item__domaine_id", "item__domaine__code", "item__domaine__titre", "item__niveau", "statut"
    )
    realises = defaultdict(lambda: defaultdict(int))  # (établissement, domaine) → niveau → réalisés
    remplis = set()
    domaines = {}  # domaine_id → code
    titres = {code: titre for code, titre, _ in DOMAINES}
    for etablissement_id, domaine_id, code, titre, niveau, statut in lignes:
        remplis.add(etablissement_id)
        domaines[domaine_id] = code
        titres.setdefault(code, titre)
        if statut == Positionnement.Statut.REALISE:
            realises[etablissement_id, domaine_id][niveau] += 1
    items = defaultdict(lambda: defaultdict(int))  # domaine → niveau → items
    for domaine_id, niveau in Item.objects.filter(domaine_id__in=domaines).values_list("domaine_id", "niveau"):
        items[domaine_id][niveau] += 1
    # Le domaine (par code) de chaque grille concernée : un établissement sans item renseigné dans un domaine y
    # est au niveau 0.
    niveaux = defaultdict(dict)  # établissement → code du domaine → niveau atteint
    for (etablissement_id, domaine_id), par_niveau in realises.items():
        niveaux[etablissement_id][domaines[domaine_id]] = niveau_atteint(items[domaine_id], par_niveau)
    comptes = {code: dict.fromkeys((0, *NIVEAUX), 0) for code in titres}
    for etablissement_id in remplis:
        for code in comptes:
            comptes[code][niveaux[etablissement_id].get(code, 0)] += 1
    return {
        "remplis": len(remplis),
        "domaines": [
            {"code": code, "titre": titres[code], "niveaux": [comptes[code][n] for n in (0, *NIVEAUX)]}
            for code in titres
        ],
    }
