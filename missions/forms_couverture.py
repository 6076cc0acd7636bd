"""Formulaires des pages académiques : filtres de la couverture et des enveloppes, enveloppe d'un
établissement, import des enveloppes, taux d'IMP autorisés."""

from django import forms

from missions.resources_enveloppes import lire_montant
from rupn.formulaires import FormulaireDsfr
from rupn.territoires.forms import EtablissementFiltreForm

TAILLE_MAX_IMPORT = 1024 * 1024  # 900 lignes « uai;montant » font une vingtaine de ko


class _FiltreRestreint(EtablissementFiltreForm):
    """Les filtres de la liste des établissements, moins ceux que la page n'utilise pas."""

    champs_retires = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.champs_retires:
            del self.fields[champ]


class CouvertureFiltreForm(_FiltreRestreint):
    """Département, bassin, type, secteur ; seuls les établissements ouverts comptent."""

    champs_retires = ("q", "etat")


class EnveloppeFiltreForm(_FiltreRestreint):
    """Recherche, département, dépassements ; `filtrer` attend les établissements annotés de `depassee`."""

    champs_retires = ("bassin", "type", "secteur", "etat")

    depassements = forms.ChoiceField(
        label="Enveloppes",
        choices=[("", "Toutes"), ("oui", "Seulement les dépassements")],
        required=False,
    )

    def filtrer(self, etablissements):
        etablissements = super().filtrer(etablissements)
        if self.is_valid() and self.cleaned_data["depassements"]:
            etablissements = etablissements.filter(depassee=True)
        return etablissements


class MontantField(forms.CharField):
    """Un montant en euros : « 3750 », « 3 750,50 », « 3750.5 »."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return lire_montant(value)
        except ValueError as erreur:
            message = str(erreur)
            raise forms.ValidationError(f"{message[0].upper()}{message[1:]}.") from None


class EnveloppeForm(FormulaireDsfr):
    montant = MontantField(
        label="Enveloppe d'IMP de l'année (€)",
        help_text="Montant annuel en euros, par exemple 3750 ou 3750,50.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ImportEnveloppesForm(FormulaireDsfr):
    fichier = forms.FileField(
        label="Fichier des enveloppes",
        help_text=(
            "CSV (séparateur point-virgule ou virgule, UTF-8) ou XLSX. La première ligne nomme les colonnes "
            "uai et montant ; une ligne par établissement, montant en euros (3750 ou 3750,50)."
        ),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_IMPORT:
            raise forms.ValidationError("Ce fichier est trop volumineux (1 Mo au plus) pour une liste d'enveloppes.")
        if not fichier.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("Déposez un fichier CSV (extension .csv) ou XLSX (extension .xlsx).")
        return fichier


class ChoixTaux(forms.ModelMultipleChoiceField):
    def label_from_instance(self, taux):
        return f"{taux.montant_affiche} par an — {taux.texte} (en vigueur depuis le {taux.valable_du:%d/%m/%Y})"


class TauxAutorisesForm(FormulaireDsfr):
    taux = ChoixTaux(
        label="Taux d'IMP que les chefs d'établissement peuvent proposer pour la mission RUPN",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Autorisez au moins un taux d'IMP : chaque désignation rémunérée par une IMP en choisit un."
        },
    )

    def __init__(self, *args, taux_en_vigueur, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taux"].queryset = taux_en_vigueur
