"""Un tableau du pilotage, tel que la page le montre et que l'export l'écrit : mêmes colonnes, mêmes lignes,
même ordre. La page le rend avec `templates/pilotage/_tableau.html` ; `dataset()` en fait le fichier CSV ou
XLSX ; `barres()` donne la géométrie de son graphique (SVG)."""

from dataclasses import dataclass, field

import tablib

from rupn.exports import sans_formule
from rupn.formats import euros


@dataclass(frozen=True)
class Colonne:
    cle: str
    titre: str
    format: str = "nombre"  # nombre, decimal, pourcentage, euros, texte
    liste: str | None = None  # la liste d'établissements que le chiffre ouvre (indicateurs.LISTES)
    triable: bool = True


@dataclass
class Cellule:
    valeur: object
    texte: str
    lien: str | None = None


def texte(valeur, format):
    """Une valeur écrite à la française (« 1 234 », « 66,7 % », « 1 250 € »). Écrit ici plutôt que par les
    filtres de Django (localisés, dix fois plus lents) : un tableau de bord en écrit des centaines."""
    if valeur is None:
        return "—"
    if format == "pourcentage":
        return f"{valeur:.1f} %".replace(".", ",")
    if format == "decimal":
        return f"{valeur:.1f}".replace(".", ",")
    if format == "euros":
        return euros(valeur)
    if format == "nombre":
        return f"{valeur:,}".replace(",", "\N{NO-BREAK SPACE}")
    return str(valeur)


@dataclass
class Tableau:
    """`colonnes[0]` est l'en-tête de ligne. `lien(ligne, colonne)` donne l'adresse d'une cellule (ou None)."""

    titre: str
    colonnes: list
    lignes: list
    total: object = None
    lien: object = None
    tri: str = ""
    decroissant: bool = False
    rangees: list = field(init=False)
    rangee_totale: list | None = field(init=False)

    def __post_init__(self):
        if self.tri and any(c.cle == self.tri and c.triable for c in self.colonnes):
            # Les valeurs absentes (—) vont en fin de liste, dans les deux sens.
            presentes = [ligne for ligne in self.lignes if getattr(ligne, self.tri) is not None]
            absentes = [ligne for ligne in self.lignes if getattr(ligne, self.tri) is None]
            presentes.sort(key=lambda ligne: getattr(ligne, self.tri), reverse=self.decroissant)
            self.lignes = presentes + absentes
        else:
            self.tri = ""
        self.rangees = [(ligne, self._rangee(ligne)) for ligne in self.lignes]
        self.rangee_totale = self._rangee(self.total) if self.total is not None else None

    def _rangee(self, ligne):
        cellules = []
        for colonne in self.colonnes:
            valeur = getattr(ligne, colonne.cle)
            if colonne.format == "texte" and valeur is not None:
                valeur = str(valeur)
            lien = self.lien(ligne, colonne) if self.lien else None
            cellules.append(Cellule(valeur, texte(valeur, colonne.format), lien))
        return cellules

    def dataset(self):
        """Le fichier de ce tableau : une ligne par rangée affichée (et le total), valeurs brutes."""
        donnees = tablib.Dataset(headers=[self._entete(colonne) for colonne in self.colonnes])
        for rangee in [
            *(cellules for _, cellules in self.rangees),
            *([self.rangee_totale] if self.rangee_totale else []),
        ]:
            donnees.append([sans_formule(cellule.valeur) for cellule in rangee])
        return donnees

    @staticmethod
    def _entete(colonne):
        return {"pourcentage": f"{colonne.titre} (%)", "euros": f"{colonne.titre} (€)"}.get(
            colonne.format, colonne.titre
        )

    def graphique(self, cle, maximum=None):
        """Le graphique en barres horizontales de la colonne `cle`, une barre par ligne (échelle de 0 à
        `maximum`, ou à la plus grande valeur)."""
        colonne = next(c for c in self.colonnes if c.cle == cle)
        valeurs = [getattr(ligne, cle) or 0 for ligne in self.lignes]
        plafond = maximum or max(valeurs, default=0) or 1
        return Graphique(
            titre=colonne.titre,
            barres=[
                Barre(
                    libelle=str(getattr(ligne, self.colonnes[0].cle)),
                    texte=texte(getattr(ligne, cle), colonne.format),
                    y=rang * Graphique.PAS,
                    largeur=round(Graphique.LARGEUR_BARRES * valeur / plafond, 1),
                )
                for rang, (ligne, valeur) in enumerate(zip(self.lignes, valeurs, strict=True))
            ],
        )


@dataclass
class Barre:
    libelle: str
    texte: str
    y: int
    largeur: float


@dataclass
class Graphique:
    """Géométrie d'un graphique SVG (templates/pilotage/_graphique.html) : libellés à gauche, barres, valeurs."""

    PAS = 28
    LARGEUR_LIBELLES = 260
    LARGEUR_BARRES = 300

    titre: str
    barres: list

    @property
    def hauteur(self):
        return max(len(self.barres), 1) * self.PAS

    @property
    def x_barres(self):
        return self.LARGEUR_LIBELLES

    @property
    def largeur(self):
        return self.LARGEUR_LIBELLES + self.LARGEUR_BARRES + 90
