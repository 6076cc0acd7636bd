"""Formulaires du journal d'activités : une entrée (saisie rapide en haut de la liste ou page complète)
et les filtres de la liste, que l'export reprend."""

from django import forms
from django.utils import timezone

from missions.forms import ChampDate
from missions.models import Activite, erreur_de_duree, message_description_trop_longue
from rupn.formulaires import FormulaireFiltreDsfr, FormulaireModeleDsfr
from rupn.territoires.models import AnneeScolaire

SANS_AXE = "aucun"


def libelle_mission(designation):
    return f"{designation.etablissement.nom} ({designation.annee})"


class ActiviteForm(FormulaireModeleDsfr):
    """Une entrée du journal. `missions` : les désignations où la personne peut écrire (missions_du_journal) ;
    avec une seule, le choix de la mission est caché. « 1,5 » se lit une heure et demie."""

    mission = forms.ChoiceField(label="Mission")
    duree = forms.DecimalField(
        label="Durée (heures)",
        localize=True,  # champ texte, virgule décimale : « 1,5 »
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Au quart d'heure : 1,5 pour une heure et demie, 0,25 pour un quart d'heure.",
        error_messages={
            "required": "Indiquez la durée en heures (0 si elle ne compte pas).",
            "invalid": "Indiquez la durée en heures, par exemple 1,5 pour une heure et demie.",
        },
    )

    class Meta:
        model = Activite
        fields = ["date", "categorie", "duree", "personnes_touchees", "axe", "description"]
        field_classes = {"date": ChampDate}
        labels = {"personnes_touchees": "Personnes touchées", "axe": "Axe de la lettre de mission"}
        help_texts = {
            "personnes_touchees": "Enseignants, élèves ou autres personnes concernés.",
            "axe": "Celui des quatre axes de votre lettre de mission que cette activité sert.",
            "description": f"{Activite.LONGUEUR_DESCRIPTION:,} caractères au plus.".replace(",", "\u202f"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "date": {
                "required": "Indiquez la date de l'activité.",
                "invalid": "Indiquez une date valide, par exemple 15/10/2026.",
            },
            "categorie": {"required": "Choisissez la catégorie de l'activité."},
            "personnes_touchees": {
                "min_value": "Le nombre de personnes touchées est positif ou nul.",
                "invalid": "Indiquez un nombre entier de personnes.",
            },
            "description": {
                "required": "Décrivez l'activité en quelques mots.",
            },
        }

    field_order = ["mission", "date", "categorie", "duree", "personnes_touchees", "axe", "description"]

    def __init__(self, *args, missions, **kwargs):
        super().__init__(*args, **kwargs)
        self.missions = {str(designation.uuid): designation for designation in missions}
        champ = self.fields["mission"]
        champ.choices = [(cle, libelle_mission(designation)) for cle, designation in self.missions.items()]
        champ.error_messages["invalid_choice"] = (
            "Cette mission n'est pas ouverte à votre journal : choisissez l'une de celles de la liste."
        )
        if self.instance.designation_id:
            champ.initial = str(self.instance.designation.uuid)
        elif missions:
            champ.initial = str(missions[0].uuid)
        if len(self.missions) == 1:
            champ.widget = forms.HiddenInput()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["categorie"].choices = [("", "— Choisir —"), *Activite.Categorie.choices]
        self.fields["axe"].choices = [("", "— Aucun en particulier —"), *Activite.Axe.choices]
        self.fields["personnes_touchees"].widget.attrs["min"] = 0
        # La longueur est vérifiée par clean_description, avec le message du modèle (le navigateur la limite déjà).
        self.fields["description"].validators.clear()

    @property
    def mission_unique(self):
        """Le libellé de la mission quand il n'y en a qu'une (le choix est alors caché), sinon ""."""
        if len(self.missions) != 1:
            return ""
        return libelle_mission(next(iter(self.missions.values())))

    def clean_mission(self):
        designation = self.missions[self.cleaned_data["mission"]]
        # Le modèle vérifie la date dans l'année de la mission.
        self.instance.designation = designation
        return designation

    def clean_duree(self):
        duree = self.cleaned_data["duree"]
        if message := erreur_de_duree(duree):
            raise forms.ValidationError(message)
        return duree

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if len(description) > Activite.LONGUEUR_DESCRIPTION:
            raise forms.ValidationError(message_description_trop_longue(len(description)))
        return description

    def clean(self):
        donnees = super().clean()
        # Une erreur sur un champ caché ne s'afficherait pas à côté de lui : on la montre en tête.
        if self.fields["mission"].widget.is_hidden and "mission" in self._errors:
            self.add_error(None, self._errors.pop("mission"))
        return donnees

    def champs_saisis(self):
        """Les arguments des services du journal (missions/journal.py)."""
        donnees = self.cleaned_data
        return {
            "designation": donnees["mission"],
            **{champ: donnees[champ] for champ in self._meta.fields},
        }


class JournalFiltreForm(FormulaireFiltreDsfr):
    """Filtres de la liste du journal et de son export. `missions` : les désignations de la personne ;
    l'établissement n'est proposé que si elle en a eu plusieurs."""

    annee = forms.ChoiceField(label="Année scolaire")
    etablissement = forms.ChoiceField(label="Établissement", required=False)
    categorie = forms.ChoiceField(
        label="Catégorie", choices=[("", "Toutes"), *Activite.Categorie.choices], required=False
    )
    axe = forms.ChoiceField(
        label="Axe",
        choices=[("", "Tous"), *((str(code), f"Axe {code}") for code in Activite.Axe.values), (SANS_AXE, "Sans axe")],
        required=False,
    )
    du = ChampDate(label="Du", required=False)
    au = ChampDate(label="Au", required=False)

    def __init__(self, *args, missions, **kwargs):
        super().__init__(*args, **kwargs)
        courante = AnneeScolaire.objects.courante()
        annees = {designation.annee.code: designation.annee for designation in missions}
        if courante:
            annees.setdefault(courante.code, courante)
        self.annees = dict(sorted(annees.items(), reverse=True))
        self.fields["annee"].choices = [(code, code) for code in self.annees]
        etablissements = {designation.etablissement.uai: designation.etablissement for designation in missions}
        if len(etablissements) > 1:
            self.fields["etablissement"].choices = [
                ("", "Tous"),
                *sorted(((uai, e.nom) for uai, e in etablissements.items()), key=lambda choix: choix[1]),
            ]
        else:
            del self.fields["etablissement"]

    def clean_annee(self):
        return self.annees[self.cleaned_data["annee"]]

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and au < du:
            self.add_error("au", "La fin de la période précède son début.")
        return donnees

    def filtrer(self, activites):
        """Les entrées qui répondent aux filtres (aucune si un filtre est invalide : on ne montre ni
        n'exporte jamais plus que ce qui est demandé)."""
        if not self.is_valid():
            return activites.none()
        donnees = self.cleaned_data
        activites = activites.pour_annee(donnees["annee"])
        if donnees.get("etablissement"):
            activites = activites.filter(designation__etablissement__uai=donnees["etablissement"])
        if donnees["categorie"]:
            activites = activites.filter(categorie=donnees["categorie"])
        if donnees["axe"] == SANS_AXE:
            activites = activites.filter(axe__isnull=True)
        elif donnees["axe"]:
            activites = activites.filter(axe=int(donnees["axe"]))
        if donnees["du"]:
            activites = activites.filter(date__gte=donnees["du"])
        if donnees["au"]:
            activites = activites.filter(date__lte=donnees["au"])
        return activites


def date_proposee(annee, jour=None):
    """La date proposée pour une nouvelle entrée de l'année : aujourd'hui, ou le dernier jour d'une année finie."""
    jour = jour or timezone.localdate()
    return min(jour, annee.fin) if annee.debut <= jour else annee.debut
