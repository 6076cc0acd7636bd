from django import forms
from django.conf import settings
from django.db.models import Q

from rupn.formulaires import ChoixDansUneListe, FormulaireDsfr, FormulaireFiltreDsfr, FormulaireModeleDsfr
from rupn.territoires.models import Academie, Bassin, Departement, Etablissement


class EtablissementFiltreForm(FormulaireFiltreDsfr):
    q = forms.CharField(label="Rechercher", required=False, help_text="Nom, UAI ou commune")
    departement = ChoixDansUneListe(
        label="Département", queryset=Departement.objects.none(), required=False, empty_label="Tous"
    )
    bassin = ChoixDansUneListe(
        label="Bassin de formation", queryset=Bassin.objects.none(), required=False, empty_label="Tous"
    )
    type = forms.ChoiceField(
        label="Type",
        choices=[("", "Tous")] + Etablissement.Type.choices,
        required=False,
    )
    secteur = forms.ChoiceField(
        label="Secteur",
        choices=[("", "Tous")] + Etablissement.Secteur.choices,
        required=False,
    )
    etat = forms.ChoiceField(
        label="État",
        choices=[("ouverts", "Ouverts"), ("fermes", "Fermés"), ("tous", "Tous")],
        required=False,
    )

    def __init__(self, *args, etablissements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = Departement.objects.filter(pk__in=etablissements.values("departement_id"))
        self.fields["bassin"].queryset = Bassin.objects.filter(pk__in=etablissements.values("bassin_id"))

    def filtrer(self, etablissements):
        if not self.is_valid():
            return etablissements.ouverts()
        donnees = self.cleaned_data
        etat = donnees.get("etat") or "ouverts"
        if etat != "tous":
            etablissements = etablissements.filter(ouvert=etat == "ouverts")
        for champ in ("departement", "bassin", "type", "secteur"):
            if donnees.get(champ):
                etablissements = etablissements.filter(**{champ: donnees[champ]})
        if recherche := donnees.get("q", "").strip():
            etablissements = etablissements.filter(
                Q(nom__icontains=recherche) | Q(uai__iexact=recherche) | Q(commune__icontains=recherche)
            )
        return etablissements


class ImportAnnuaireForm(FormulaireDsfr):
    fichier = forms.FileField(label="Fichier de l'annuaire de l'éducation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = (
            "Format CSV séparé par des points-virgules, tel que publié sur data.education.gouv.fr "
            f"(jeu fr-en-annuaire-education). Taille maximale : {self._taille_max_mo()} Mo."
        )

    @staticmethod
    def _taille_max_mo():
        return settings.RUPN_IMPORT_TAILLE_MAX // (1024 * 1024)

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > settings.RUPN_IMPORT_TAILLE_MAX:
            raise forms.ValidationError(f"Ce fichier est trop volumineux ({self._taille_max_mo()} Mo au plus).")
        if not fichier.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Déposez un fichier CSV (extension .csv).")
        return fichier


class AcademieParametresForm(FormulaireModeleDsfr):
    class Meta:
        model = Academie
        fields = ["libelle_service", "premier_mois_paiement"]
        labels = {"libelle_service": "Nom du service académique du numérique"}
        help_texts = {
            "libelle_service": "Le nom affiché dans l'application et les courriels : DANE, DRANE ou SRANE.",
            "premier_mois_paiement": "Mois du premier des neuf versements (par neuvième) d'une IMP annuelle.",
        }
