"""Filtres des pages du pilotage : territoire, type, secteur (et académie pour le niveau national)."""

from missions.forms_couverture import CouvertureFiltreForm
from rupn.formulaires import ChoixDansUneListe
from rupn.territoires.models import Academie


class PilotageFiltreForm(CouvertureFiltreForm):
    """Les filtres de la couverture ; le national choisit en plus une académie (les autres rôles n'en ont
    qu'une, ou une partie d'une)."""

    academie = ChoixDansUneListe(
        label="Académie", queryset=Academie.objects.none(), to_field_name="code", required=False, empty_label="Toutes"
    )

    field_order = ["academie", "departement", "bassin", "type", "secteur"]

    def __init__(self, *args, national=False, **kwargs):
        super().__init__(*args, **kwargs)
        if national:
            self.fields["academie"].queryset = Academie.objects.order_by("nom")
        else:
            del self.fields["academie"]

    def filtrer(self, etablissements):
        etablissements = super().filtrer(etablissements)
        if self.is_valid() and self.cleaned_data.get("academie"):
            etablissements = etablissements.filter(academie=self.cleaned_data["academie"])
        return etablissements

    def filtres(self):
        """Les filtres valides et remplis, tels que l'adresse les porte (pour les liens et les exports)."""
        if not self.is_valid():
            return {}
        return {nom: self.data[nom] for nom, valeur in self.cleaned_data.items() if valeur}
