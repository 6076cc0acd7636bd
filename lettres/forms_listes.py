"""Filtres de la page académique des lettres de mission (DANE, correspondants, national) et de leur export."""

from django import forms

from lettres.models import LettreMission
from rupn.territoires.forms import EtablissementFiltreForm
from rupn.territoires.models import AnneeScolaire

FILTRES_ETABLISSEMENT = ("departement", "bassin", "type", "secteur")


class LettreFiltreForm(EtablissementFiltreForm):
    """Année, établissement (département, bassin, type, secteur) et état de la lettre. Les filtres
    d'établissement valent aussi pour les désignations sans lettre scellée ; l'état ne vaut que pour les lettres."""

    annee = forms.ChoiceField(label="Année scolaire")
    statut = forms.ChoiceField(label="État", choices=[("", "Tous"), *LettreMission.Statut.choices], required=False)

    field_order = ["annee", *FILTRES_ETABLISSEMENT, "statut"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ni recherche ni état d'ouverture : une lettre d'un établissement fermé depuis reste à suivre.
        del self.fields["q"], self.fields["etat"]
        # Les années lues une fois (un ModelChoiceField relirait la table à chaque rendu du choix).
        self.annees = {annee.code: annee for annee in AnneeScolaire.objects.order_by("-debut")}
        self.fields["annee"].choices = [(code, code) for code in self.annees]

    def clean_annee(self):
        return self.annees[self.cleaned_data["annee"]]

    def par_etablissement(self, objets):
        """`objets` (lettres ou désignations) de l'année et des établissements demandés ; aucun si un filtre
        est invalide : on ne montre ni n'exporte jamais plus que ce qui est demandé."""
        if not self.is_valid():
            return objets.none()
        donnees = self.cleaned_data
        objets = objets.pour_annee(donnees["annee"])
        for champ in FILTRES_ETABLISSEMENT:
            if donnees[champ]:
                objets = objets.filter(**{f"etablissement__{champ}": donnees[champ]})
        return objets

    def filtrer(self, lettres):
        lettres = self.par_etablissement(lettres)
        if self.is_valid() and self.cleaned_data["statut"]:
            lettres = lettres.filter(statut=self.cleaned_data["statut"])
        return lettres
