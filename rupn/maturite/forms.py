"""Filtres de la page académique de la grille de maturité (DANE, correspondants, national)."""

from rupn.territoires.forms import EtablissementFiltreForm


class MaturiteFiltreForm(EtablissementFiltreForm):
    """Département et type d'établissement."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in ("q", "etat", "bassin", "secteur"):
            del self.fields[champ]

    def filtrer(self, etablissements):
        """Les établissements demandés ; aucun si un filtre est invalide (jamais plus que demandé)."""
        if not self.is_valid():
            return etablissements.none()
        for champ in ("departement", "type"):
            if self.cleaned_data[champ]:
                etablissements = etablissements.filter(**{champ: self.cleaned_data[champ]})
        return etablissements
