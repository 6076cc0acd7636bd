"""Grilles de maturité numérique de démonstration, remplies par les services de rupn/maturite comme depuis la page.

- Collège A : la grille de l'an dernier remplie par sa cheffe (Hélène Roussel), celle de cette année en partie
  (un domaine pas encore commencé, un autre au niveau 1 seulement) : l'évolution se lit domaine par domaine.
- Lycée B : les deux années remplies, en progrès.
- Les deux premiers autres établissements de démonstration (designations.py), par leur direction fictive : l'un
  les deux années, l'autre cette année seulement ; la DANE voit ainsi une distribution et ses territoires.

Un établissement qui a déjà renseigné un item dans l'année n'en reçoit pas d'autre : relancer ne crée rien de
plus.
"""

from rupn.comptes.models import Role, Utilisateur
from rupn.maturite.models import Grille, Positionnement
from rupn.maturite.services import positionner
from rupn.pilotage.demo.designations import DIRECTIONS_DES_PERSONAS, DOMAINE, etablissements_fictifs
from rupn.territoires.models import AnneeScolaire

S = Positionnement.Statut
# Statut des items d'un niveau : tous réalisés (R), le premier réalisé et les autres en cours (M), tous en cours
# (C), aucun réalisé (N) ; un niveau absent n'est pas renseigné.
STATUTS = {"R": S.REALISE, "C": S.EN_COURS, "N": S.NON_REALISE}

# Profil d'une grille : {domaine: "statuts des niveaux 1, 2, 3"} ; un domaine absent n'est pas renseigné.
PROFILS = {
    "college_a_precedente": {
        "pilotage": "RMN",
        "pratiques": "RCN",
        "formation": "MNN",
        "ressources": "RRC",
        "infrastructure": "RMN",
    },
    # En cours de remplissage : la formation pas encore, l'infrastructure au niveau 1 seulement.
    "college_a_courante": {"pilotage": "RRM", "pratiques": "RMN", "ressources": "RRM", "infrastructure": "R"},
    "lycee_b_precedente": {
        "pilotage": "RNN",
        "pratiques": "RNN",
        "formation": "RNN",
        "ressources": "MNN",
        "infrastructure": "RMN",
    },
    "lycee_b_courante": {
        "pilotage": "RRC",
        "pratiques": "RRC",
        "formation": "RMN",
        "ressources": "RNN",
        "infrastructure": "RRN",
    },
    "avance": {"pilotage": "RRR", "pratiques": "RRM", "formation": "RRN", "ressources": "RRR", "infrastructure": "RRM"},
    "debutant": {
        "pilotage": "MNN",
        "pratiques": "RNN",
        "formation": "CNN",
        "ressources": "RCN",
        "infrastructure": "RNN",
    },
}


def _remplir(etablissement, annee, direction, profil):
    """Positionne les items du profil ; rend le nombre d'items renseignés (0 si la grille l'était déjà)."""
    if Positionnement.objects.filter(etablissement=etablissement, annee=annee).exists():
        return 0
    direction.role_actif = Role.objects.filter(
        utilisateur=direction, etablissement=etablissement, type__in=Role.TYPES_DIRECTION
    ).first()
    grille = Grille.objects.courante(etablissement.academie)
    nombre = 0
    for domaine in grille.domaines.prefetch_related("items"):
        niveaux = PROFILS[profil].get(domaine.code, "")
        for niveau, lettre in enumerate(niveaux, start=1):
            items = [item for item in domaine.items.all() if item.niveau == niveau]
            for rang, item in enumerate(items):
                statut = S.REALISE if lettre == "M" and rang == 0 else S.EN_COURS if lettre == "M" else STATUTS[lettre]
                positionner(etablissement=etablissement, annee=annee, item=item, statut=statut, par=direction)
                nombre += 1
    return nombre


def charger(sortie, *, academie, etablissements):
    """`etablissements` : les établissements A et B des personas ({"A": …, "B": …})."""
    courante = AnneeScolaire.objects.courante()
    precedente = AnneeScolaire.pour_rentree(courante.debut.year - 1)
    directions = {cle: Utilisateur.objects.get(email=email) for cle, email in DIRECTIONS_DES_PERSONAS.items()}
    premier, second = etablissements_fictifs(academie, exclus=etablissements.values())[:2]
    remplissages = [
        (etablissements["A"], precedente, directions["A"], "college_a_precedente"),
        (etablissements["A"], courante, directions["A"], "college_a_courante"),
        (etablissements["B"], precedente, directions["B"], "lycee_b_precedente"),
        (etablissements["B"], courante, directions["B"], "lycee_b_courante"),
        (premier, precedente, None, "debutant"),
        (premier, courante, None, "avance"),
        (second, courante, None, "debutant"),
    ]
    items, grilles = 0, 0
    for etablissement, annee, direction, profil in remplissages:
        direction = direction or Utilisateur.objects.get(email=f"direction.{etablissement.uai.lower()}@{DOMAINE}")
        renseignes = _remplir(etablissement, annee, direction, profil)
        items += renseignes
        grilles += bool(renseignes)
    sortie(
        f"Grilles de maturité numérique : {grilles} remplies ({items} items), "
        f"{len(remplissages) - grilles} déjà présentes."
    )
