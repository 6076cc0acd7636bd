"""Échéancier de paiement d'une IMP « par neuvième » (règle décrite dans docs/echeancier-imp.md).

1. Mois de mission : un mois de l'année scolaire (septembre à août) compte si la mission
   est en cours le 15 de ce mois. Deux missions qui se suivent (fin un jour, début le
   lendemain) se partagent donc les douze mois sans recouvrement.
2. Montant dû : montant annuel × mois de mission / 12, arrondi au centime le plus proche.
   Au-delà de six mois, c'est le montant annuel moins la part (arrondie de même) des mois
   hors mission : deux missions qui se partagent l'année font ainsi exactement le montant
   annuel, même quand la part tombe sur un demi-centime (312,50 € sur 3 et 9 mois).
   Une mission de toute l'année compte 12 mois et reçoit le montant annuel ; un allègement
   de service (pas de montant annuel) ne doit rien.
3. Lignes : les mois de paiement sont les neuf mois qui commencent au premier mois de
   paiement de l'académie (octobre → juin, ou novembre → juillet). Le montant dû se
   répartit en parts égales sur ceux de ces mois qui tombent entre le premier et le
   dernier mois de mission ; une mission tout entière avant (après) cette fenêtre est
   payée en une ligne au premier (dernier) mois de paiement.
4. Centimes : chaque ligne est arrondie au centime le plus proche et la dernière reçoit
   le reste, si bien que les lignes font exactement le montant dû.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NOMBRE_DE_VERSEMENTS = 9
MOIS_DE_L_ANNEE = 12
JOUR_DE_REFERENCE = 15
CENTIME = Decimal("0.01")

NOMS_DES_MOIS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass(frozen=True)
class Ligne:
    mois: datetime.date  # premier jour du mois de paiement
    montant: Decimal

    @property
    def libelle_mois(self):
        return f"{NOMS_DES_MOIS[self.mois.month - 1]} {self.mois.year}"


def _mois_suivant(jour):
    return datetime.date(jour.year + jour.month // 12, jour.month % 12 + 1, 1)


def mois_de_l_annee(debut_annee):
    """Les douze premiers jours de mois de l'année scolaire qui commence à `debut_annee`."""
    mois = [debut_annee.replace(day=1)]
    for _ in range(MOIS_DE_L_ANNEE - 1):
        mois.append(_mois_suivant(mois[-1]))
    return mois


def mois_de_mission(debut_annee, debut, fin):
    """Les mois (premier jour) de l'année scolaire où la mission est en cours le 15."""
    return [mois for mois in mois_de_l_annee(debut_annee) if debut <= mois.replace(day=JOUR_DE_REFERENCE) <= fin]


def mois_de_paiement(debut_annee, premier_mois_paiement):
    """Les neuf mois de versement de l'année scolaire, à partir du premier mois de paiement."""
    rang = (premier_mois_paiement - debut_annee.month) % MOIS_DE_L_ANNEE
    return mois_de_l_annee(debut_annee)[rang : rang + NOMBRE_DE_VERSEMENTS]


def montant_du(montant_annuel, nb_mois):
    """Ce que valent `nb_mois` mois de mission au taux `montant_annuel` (None : allègement, rien)."""
    annuel = Decimal(montant_annuel or 0)
    if 2 * nb_mois > MOIS_DE_L_ANNEE:
        # L'arrondi porte toujours sur la plus petite des deux parts de l'année.
        return annuel - montant_du(annuel, MOIS_DE_L_ANNEE - nb_mois)
    return (annuel * nb_mois / MOIS_DE_L_ANNEE).quantize(CENTIME, rounding=ROUND_HALF_UP)


def echeancier(*, montant_annuel, debut_annee, debut, fin, premier_mois_paiement):
    """Les lignes de paiement d'une mission du `debut` à la `fin` dans l'année scolaire."""
    du = montant_du(montant_annuel, len(mois_de_mission(debut_annee, debut, fin)))
    return lignes_de_paiement(
        montant_du=du, debut_annee=debut_annee, debut=debut, fin=fin, premier_mois_paiement=premier_mois_paiement
    )


def lignes_de_paiement(*, montant_du, debut_annee, debut, fin, premier_mois_paiement):
    """Répartit un montant dû déjà calculé (celui enregistré sur la désignation) sur les mois de paiement."""
    mission = mois_de_mission(debut_annee, debut, fin)
    if not mission or not montant_du:
        return []
    paiement = mois_de_paiement(debut_annee, premier_mois_paiement)
    mois = [m for m in paiement if mission[0] <= m <= mission[-1]]
    if not mois:
        mois = [paiement[0] if mission[-1] < paiement[0] else paiement[-1]]
    part = (montant_du / len(mois)).quantize(CENTIME, rounding=ROUND_HALF_UP)
    lignes = [Ligne(m, part) for m in mois[:-1]]
    lignes.append(Ligne(mois[-1], montant_du - part * (len(mois) - 1)))
    return lignes
