"""Formulaires de la construction de l'enquête (DANE) et filtres de la liste des participations. Les règles
(dates, codes, choix, versions) sont vérifiées par enquetes/construction.py, qui lève des erreurs par champ :
les vues les reportent sur ces formulaires (mêmes noms de champs)."""

from django import forms
from django.db.models import Q

from enquetes.models import Participation, Question, code_valide
from rupn.formulaires import FormulaireDsfr, FormulaireFiltreDsfr
from rupn.territoires.models import Departement


class ChampDate(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnqueteForm(FormulaireDsfr):
    titre = forms.CharField(label="Titre", max_length=200)
    introduction = forms.CharField(
        label="Texte d'accueil",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Affiché au RUPN en tête de l'enquête.",
    )
    ouverture = ChampDate(
        label="Ouverture de la campagne",
        required=False,
        help_text="Premier jour de saisie. Requise pour lancer la campagne.",
    )
    cloture = ChampDate(
        label="Clôture de la campagne",
        required=False,
        help_text="Dernier jour de saisie (compris), le jour de l'ouverture ou après.",
    )

    def __init__(self, *args, enquete, **kwargs):
        super().__init__(
            *args,
            initial={champ: getattr(enquete, champ) for champ in ("titre", "introduction", "ouverture", "cloture")},
            **kwargs,
        )

    def clean(self):
        donnees = super().clean()
        ouverture, cloture = donnees.get("ouverture"), donnees.get("cloture")
        if ouverture and cloture and cloture < ouverture:
            self.add_error(
                "cloture",
                f"La clôture ne peut précéder l'ouverture ({ouverture:%d/%m/%Y}) : choisissez ce jour ou un suivant.",
            )
        return donnees


class SectionForm(FormulaireDsfr):
    titre = forms.CharField(label="Titre", max_length=200, help_text="Le titre de l'étape, vu par le RUPN.")
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    ordre = forms.IntegerField(
        label="Ordre",
        min_value=0,
        required=False,
        help_text="Les sections se suivent par ordre croissant. Vide : après les autres.",
    )

    def __init__(self, *args, section=None, **kwargs):
        initial = {} if section is None else {c: getattr(section, c) for c in ("titre", "description", "ordre")}
        super().__init__(*args, initial=initial, **kwargs)


def lignes(texte):
    return [ligne.strip() for ligne in texte.splitlines() if ligne.strip()]


class QuestionForm(FormulaireDsfr):
    """Ajouter ou modifier une question. Une fois répondue, son code et son type sont figés (champs désactivés)."""

    section = forms.ModelChoiceField(label="Section", queryset=None, empty_label=None)
    libelle = forms.CharField(label="Question", max_length=500)
    code = forms.CharField(
        label="Code",
        max_length=50,
        validators=[code_valide],
        help_text="Unique dans l'enquête et stable d'une année à l'autre : il relie les réponses et nomme la colonne "
        "de l'export. Des minuscules sans accent, des chiffres et « _ », par exemple « formations_animees ».",
    )
    type = forms.ChoiceField(label="Type de réponse", choices=Question.Type.choices)
    options = forms.CharField(
        label="Choix proposés",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Pour les questions à choix unique ou multiple : un choix par ligne, au moins deux.",
    )
    obligatoire = forms.BooleanField(label="Réponse obligatoire", required=False)
    aide = forms.CharField(
        label="Aide", max_length=500, required=False, help_text="Une précision affichée sous la question."
    )
    ordre = forms.IntegerField(
        label="Ordre dans la section",
        min_value=0,
        required=False,
        help_text="Vide : après les autres questions de la section.",
    )
    masquee = forms.BooleanField(
        label="Masquée",
        required=False,
        help_text="Une question masquée n'est plus posée ; ses réponses restent, et elle n'est pas reprise l'an "
        "prochain.",
    )

    def __init__(self, *args, enquete, question=None, nb_reponses=0, choix_repondus=(), section=None, **kwargs):
        champs = ("section", "libelle", "code", "type", "obligatoire", "aide", "ordre", "masquee")
        if question is not None:
            initial = {champ: getattr(question, champ) for champ in champs}
            initial["options"] = "\n".join(question.options)
        else:
            initial = {"section": section}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["section"].queryset = enquete.sections.all()
        self.repondue = nb_reponses > 0
        if self.repondue:
            pluriel = "s" if nb_reponses > 1 else ""
            # Champs désactivés : le navigateur ne les envoie pas, Django garde leur valeur initiale.
            for champ in ("code", "type"):
                self.fields[champ].disabled = True
                self._aide(champ, f"Figé : {nb_reponses} réponse{pluriel} enregistrée{pluriel}.")
            if choix_repondus:
                self._aide(
                    "options",
                    f"{self.fields['options'].help_text} Déjà répondus, à garder : "
                    f"« {' », « '.join(sorted(choix_repondus))} ».",
                )

    def _aide(self, champ, texte):
        # django-dsfr a déjà créé les champs liés (BoundField), qui ont copié l'aide : on change les deux.
        self.fields[champ].help_text = self[champ].help_text = texte

    def clean_options(self):
        return lignes(self.cleaned_data["options"])

    def clean(self):
        donnees = super().clean()
        if donnees.get("type") in Question.TYPES_A_OPTIONS and "options" in donnees and len(donnees["options"]) < 2:
            self.add_error("options", "Une question à choix propose au moins deux choix, un par ligne.")
        return donnees


class ParticipationFiltreForm(FormulaireFiltreDsfr):
    statut = forms.ChoiceField(label="État", choices=[("", "Tous"), *Participation.Statut.choices], required=False)
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.none(), required=False, empty_label="Tous"
    )
    etablissement = forms.CharField(label="Établissement", required=False, help_text="Nom ou UAI")

    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = Departement.objects.filter(
            pk__in=participations.values("designation__etablissement__departement_id")
        ).order_by("code")

    def filtrer(self, participations):
        """Les participations qui répondent aux filtres (aucune si un filtre est invalide)."""
        if not self.is_valid():
            return participations.none()
        donnees = self.cleaned_data
        if donnees["statut"]:
            participations = participations.filter(statut=donnees["statut"])
        if donnees["departement"]:
            participations = participations.filter(designation__etablissement__departement=donnees["departement"])
        for mot in donnees["etablissement"].split():
            participations = participations.filter(
                Q(designation__etablissement__nom__icontains=mot) | Q(designation__etablissement__uai__iexact=mot)
            )
        return participations
