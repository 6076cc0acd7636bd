"""Formulaires de la direction (désigner, terminer, renouveler) et de la personne désignée (répondre)."""

import datetime

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q

from missions.models import Designation, TauxIMP
from rupn.comptes.models import Role, Utilisateur
from rupn.formulaires import FormulaireDsfr, FormulaireModeleDsfr
from rupn.territoires.models import Etablissement


class ChampDate(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def personnels_connus(etablissement):
    """Les personnes déjà RUPN de l'établissement ou déjà désignées dans celui-ci."""
    return (
        Utilisateur.objects.filter(
            Q(roles__etablissement=etablissement, roles__type=Role.Type.RUPN)
            | Q(designations__etablissement=etablissement)
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class ChoixPersonne(forms.ModelChoiceField):
    def label_from_instance(self, utilisateur):
        return f"{utilisateur.get_full_name() or utilisateur.email} ({utilisateur.email})"


class DesignationForm(FormulaireModeleDsfr):
    """Désigner un RUPN : une personne connue de l'établissement, ou une autre par son adresse."""

    personne = ChoixPersonne(
        label="Personne déjà connue dans l'établissement",
        queryset=Utilisateur.objects.none(),
        required=False,
        empty_label="— Choisir —",
        error_messages={
            "invalid_choice": "Cette personne n'est pas connue dans votre établissement : "
            "désignez-la par son adresse électronique."
        },
    )
    email = forms.EmailField(
        label="Ou adresse électronique",
        required=False,
        help_text="Pour une personne qui n'est pas dans la liste : elle recevra un lien pour donner son accord.",
    )
    first_name = forms.CharField(
        label="Prénom", max_length=150, required=False, help_text="À indiquer avec l'adresse électronique."
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, required=False, help_text="À indiquer avec l'adresse électronique."
    )

    class Meta:
        model = Designation
        fields = [
            "taux",
            "heures_allegement",
            "debut",
            "fin",
            "avis_conseil_pedagogique",
            "avis_conseil_administration",
        ]
        localized_fields = ["heures_allegement"]  # « 1,5 » se lit 1,5 heure (champ texte, virgule décimale)
        labels = {
            "avis_conseil_pedagogique": "Date de l'avis du conseil pédagogique",
            "avis_conseil_administration": "Date de l'avis du conseil d'administration",
        }
        field_classes = {
            "debut": ChampDate,
            "fin": ChampDate,
            "avis_conseil_pedagogique": ChampDate,
            "avis_conseil_administration": ChampDate,
        }
        help_texts = {
            "taux": "Taux annuel de l'indemnité pour mission particulière (décret n° 2015-475), parmi ceux que "
            "l'académie autorise.",
            "heures_allegement": "À la place d'une IMP, jamais en plus : laissez vide si vous choisissez une IMP.",
            "debut": "Par défaut, le début de l'année scolaire.",
            "fin": "Par défaut, la fin de l'année scolaire.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        designation = self.instance
        etablissement, annee = designation.etablissement, designation.annee
        self.fields["personne"].queryset = personnels_connus(etablissement)
        self.fields["taux"].queryset = TauxIMP.objects.autorises(etablissement.academie, annee)
        self.fields["taux"].empty_label = "— Pas d'IMP (allègement de service) —"
        self.fields["taux"].error_messages["invalid_choice"] = (
            "Ce taux d'IMP n'est pas autorisé par l'académie pour cette année : choisissez-en un dans la liste."
        )
        self.fields["taux"].label_from_instance = lambda taux: taux.montant_affiche + " par an"
        if etablissement.secteur == Etablissement.Secteur.PRIVE:
            # Pas de conseil d'administration dans un établissement privé sous contrat.
            del self.fields["avis_conseil_administration"]
        self.nouvel_agent = None

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        donnees = super().clean()
        personne, email = donnees.get("personne"), donnees.get("email")
        if "personne" in self.errors or "email" in self.errors:
            return donnees
        if personne and email:
            self.add_error("email", "Choisissez une personne de la liste ou saisissez une adresse, pas les deux.")
        elif personne:
            self.instance.agent = personne
        elif email:
            # Prénom et nom demandés dans tous les cas : la réponse ne dit pas si l'adresse a déjà un compte
            # (un compte existant garde ses nom et prénom).
            if not (donnees.get("first_name", "").strip() and donnees.get("last_name", "").strip()):
                self.add_error("last_name", "Indiquez le prénom et le nom de la personne désignée par son adresse.")
            elif existante := Utilisateur.objects.filter(email__iexact=email).first():
                self.instance.agent = existante
            else:
                self.nouvel_agent = {
                    "email": email,
                    "first_name": donnees["first_name"].strip(),
                    "last_name": donnees["last_name"].strip(),
                }
        else:
            self.add_error("personne", "Choisissez la personne à désigner ou saisissez son adresse électronique.")
        return donnees


class TerminerForm(FormulaireDsfr):
    fin = ChampDate(label="Dernier jour de la mission")
    motif = forms.CharField(
        label="Motif", required=False, max_length=500, help_text="Par exemple : mutation, remplacement."
    )
    remplacer = forms.BooleanField(label="Désigner ensuite la personne qui la remplace", required=False, initial=True)

    def __init__(self, *args, designation, **kwargs):
        super().__init__(*args, **kwargs)
        self.designation = designation
        self.fields["fin"].initial = max(designation.debut, datetime.date.today())

    def clean_fin(self):
        fin = self.cleaned_data["fin"]
        if fin < self.designation.debut:
            raise forms.ValidationError(
                f"La mission a commencé le {self.designation.debut:%d/%m/%Y} : choisissez une date postérieure."
            )
        if fin >= self.designation.fin:
            raise forms.ValidationError(
                f"La mission se termine déjà le {self.designation.fin:%d/%m/%Y} : choisissez une date antérieure."
            )
        return fin


class RefusForm(FormulaireDsfr):
    motif = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Il sera transmis à la direction de l'établissement.",
        error_messages={"required": "Indiquez le motif de votre refus : il sera transmis à la direction."},
    )


class AccordForm(FormulaireDsfr):
    """L'accord de la personne ; sans mot de passe encore, elle choisit le sien."""

    mot_de_passe = forms.CharField(label="Choisissez un mot de passe", widget=forms.PasswordInput, required=False)
    confirmation = forms.CharField(label="Confirmez le mot de passe", widget=forms.PasswordInput, required=False)

    def __init__(self, *args, agent, demander_mot_de_passe, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent = agent
        if demander_mot_de_passe:
            self.fields["mot_de_passe"].required = True
            self.fields["confirmation"].required = True
            self.fields["mot_de_passe"].help_text = (
                "Il vous servira à vous connecter avec votre adresse " + agent.email + "."
            )
        else:
            del self.fields["mot_de_passe"]
            del self.fields["confirmation"]

    def clean(self):
        donnees = super().clean()
        mot_de_passe = donnees.get("mot_de_passe")
        if mot_de_passe:
            if mot_de_passe != donnees.get("confirmation"):
                self.add_error("confirmation", "Les deux mots de passe ne sont pas identiques.")
            else:
                try:
                    validate_password(mot_de_passe, self.agent)
                except forms.ValidationError as erreur:
                    self.add_error("mot_de_passe", erreur)
        return donnees
