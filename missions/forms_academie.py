"""Formulaires des pages académiques des désignations (DANE, correspondants, national)."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from missions.models import Designation, TauxIMP
from rupn.formats import euros
from rupn.formulaires import ChoixDansUneListe, FormulaireFiltreDsfr
from rupn.territoires.models import AnneeScolaire, Bassin, Departement, Etablissement

ALLEGEMENT = "allegement"


class DesignationFiltreForm(FormulaireFiltreDsfr):
    """Filtres de la liste académique ; les exports et la validation en lot suivent les mêmes."""

    annee = forms.ChoiceField(label="Année scolaire")
    q = forms.CharField(label="Rechercher", required=False, help_text="Établissement, UAI ou personne")
    departement = ChoixDansUneListe(
        label="Département", queryset=Departement.objects.none(), required=False, empty_label="Tous"
    )
    bassin = ChoixDansUneListe(
        label="Bassin de formation", queryset=Bassin.objects.none(), required=False, empty_label="Tous"
    )
    type = forms.ChoiceField(label="Type", choices=[("", "Tous"), *Etablissement.Type.choices], required=False)
    secteur = forms.ChoiceField(label="Secteur", choices=[("", "Tous"), *Etablissement.Secteur.choices], required=False)
    statut = forms.ChoiceField(label="État", choices=[("", "Tous"), *Designation.Statut.choices], required=False)
    reconnaissance = forms.ChoiceField(label="Reconnaissance", required=False)

    def __init__(self, *args, etablissements, **kwargs):
        super().__init__(*args, **kwargs)
        # Les années lues une fois (un ModelChoiceField relirait la table à chaque rendu du choix).
        self.annees = {annee.code: annee for annee in AnneeScolaire.objects.order_by("-debut")}
        self.fields["annee"].choices = [(code, code) for code in self.annees]
        self.fields["departement"].queryset = Departement.objects.filter(pk__in=etablissements.values("departement_id"))
        self.fields["bassin"].queryset = Bassin.objects.filter(pk__in=etablissements.values("bassin_id"))
        # Un même montant peut exister en plusieurs versions datées : on filtre sur le montant.
        montants = TauxIMP.objects.order_by("montant").values_list("montant", flat=True).distinct()
        self.fields["reconnaissance"].choices = [
            ("", "Toutes"),
            *((f"{montant:.2f}", f"IMP de {euros(montant)}") for montant in montants),
            (ALLEGEMENT, "Allègement de service"),
        ]

    def clean_annee(self):
        return self.annees[self.cleaned_data["annee"]]

    def filtrer(self, designations):
        """Les désignations qui répondent aux filtres (aucune si un filtre est invalide : on ne
        montre, n'exporte ni ne valide jamais plus que ce qui est demandé)."""
        if not self.is_valid():
            return designations.none()
        donnees = self.cleaned_data
        designations = designations.pour_annee(donnees["annee"])
        for champ in ("departement", "bassin", "type", "secteur"):
            if donnees[champ]:
                designations = designations.filter(**{f"etablissement__{champ}": donnees[champ]})
        if donnees["statut"]:
            designations = designations.filter(statut=donnees["statut"])
        if donnees["reconnaissance"] == ALLEGEMENT:
            designations = designations.filter(taux__isnull=True)
        elif donnees["reconnaissance"]:
            designations = designations.filter(taux__montant=Decimal(donnees["reconnaissance"]))
        for mot in donnees["q"].split():
            designations = designations.filter(
                Q(etablissement__nom__icontains=mot)
                | Q(etablissement__uai__iexact=mot)
                | Q(agent__last_name__icontains=mot)
                | Q(agent__first_name__icontains=mot)
                | Q(agent__email__icontains=mot)
            )
        return designations
