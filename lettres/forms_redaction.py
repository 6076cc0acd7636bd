"""Formulaires de la rédaction des lettres de mission : créer la lettre de l'année, la modifier."""

import copy

from django import forms
from django.utils.formats import date_format

from lettres.forms import ChampTexte, lignes
from lettres.modele_par_defaut import BLOCS, LONGUEUR_LIGNE, LONGUEUR_TEXTE, NOMBRE_MAX
from lettres.services import BLOCS_MODIFIABLES, erreurs_contenu_lettre
from rupn.formulaires import FormulaireDsfr


class ChoixDesignations(forms.ModelMultipleChoiceField):
    def label_from_instance(self, designation):
        return (
            f"{designation.agent} — {designation.reconnaissance}, du {date_format(designation.debut)} au "
            f"{date_format(designation.fin)} ({designation.get_statut_display().lower()})"
        )


class LettreCreerForm(FormulaireDsfr):
    designations = ChoixDesignations(
        label="Désignations que couvre la lettre",
        help_text="Une lettre peut réunir plusieurs RUPN de l'établissement : chacun y figure avec sa "
        "reconnaissance et sa période.",
        queryset=None,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins une désignation : la lettre est rédigée pour elle.",
            "invalid_choice": "Une des désignations cochées n'attend plus de lettre (elle a déjà la sienne, n'est "
            "plus acceptée ou relève d'un autre établissement) : rechargez la page.",
            "invalid_pk_value": "« %(pk)s » n'est pas une désignation.",
        },
    )

    def __init__(self, *args, disponibles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designations"].queryset = disponibles


# Le sort d'une mission suggérée dans la lettre.
NON_RETENUE, PRINCIPALE, SECONDAIRE = "non", "principale", "secondaire"
CHOIX_MISSION = [(NON_RETENUE, "Non retenue"), (PRINCIPALE, "Principale"), (SECONDAIRE, "Secondaire")]


def _choix(mission):
    if not mission["retenue"]:
        return NON_RETENUE
    return PRINCIPALE if mission["principale"] else SECONDAIRE


def _zone(label, aide, lignes_visibles=3):
    return ChampTexte(
        label=label, help_text=aide, required=False, widget=forms.Textarea(attrs={"rows": lignes_visibles})
    )


class LettreForm(FormulaireDsfr):
    """La lettre de la direction : pour chaque axe, le sort des missions suggérées (non retenue, principale,
    secondaire), les missions ajoutées (une par ligne) et les indicateurs ; puis les moyens, la formation et
    le suivi. Le préambule et les titres des axes restent ceux du modèle. `revision` est celle que la personne
    a sous les yeux (contrôle des modifications simultanées)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    moyens = _zone(BLOCS["moyens"], f"Un paragraphe par ligne, {LONGUEUR_TEXTE} caractères au plus.", 4)
    formation = _zone(BLOCS["formation"], "Un paragraphe par ligne.", 4)
    suivi = _zone(BLOCS["suivi"], "Un paragraphe par ligne.", 4)

    def __init__(self, *args, lettre, **kwargs):
        self.contenu_initial = lettre.contenu
        initial = {"revision": lettre.revision, **{cle: lettre.contenu[cle] for cle in BLOCS_MODIFIABLES}}
        champs = {}
        for axe in lettre.contenu["axes"]:
            code = axe["code"]
            for rang, mission in enumerate(axe["missions"], start=1):
                nom = f"axe_{code}_mission_{rang}"
                champs[nom] = forms.ChoiceField(label=mission["texte"], choices=CHOIX_MISSION, widget=forms.RadioSelect)
                initial[nom] = _choix(mission)
            for principale, nom, label in (
                (True, f"axe_{code}_ajout_principales", "Missions principales ajoutées"),
                (False, f"axe_{code}_ajout_secondaires", "Missions secondaires ajoutées"),
            ):
                champs[nom] = _zone(
                    label,
                    f"Les missions propres à l'établissement, une par ligne ({LONGUEUR_LIGNE} caractères au plus).",
                )
                initial[nom] = "\n".join(m["texte"] for m in axe["missions_propres"] if m["principale"] is principale)
            champs[f"axe_{code}_indicateurs"] = _zone(
                "Indicateurs",
                f"Arrêtés avec le RUPN : un par ligne, {NOMBRE_MAX['indicateurs']} au plus. Les indicateurs suggérés "
                "par le modèle sont repris ; modifiez-les ou supprimez les lignes inutiles.",
                4,
            )
            initial[f"axe_{code}_indicateurs"] = "\n".join(axe["indicateurs"])
        # Les champs des axes se placent après la révision et avant les blocs, avant l'initialisation
        # commune qui prépare le rendu DSFR de chaque champ.
        communs = dict(type(self).base_fields)
        self.base_fields = {"revision": communs.pop("revision"), **champs, **communs}
        super().__init__(*args, initial=initial, **kwargs)

    def axes(self):
        """Pour le gabarit : chaque axe avec ses champs liés."""
        return [
            {
                "code": axe["code"],
                "titre": axe["titre"],
                "missions": [self[f"axe_{axe['code']}_mission_{rang}"] for rang in range(1, len(axe["missions"]) + 1)],
                "principales": self[f"axe_{axe['code']}_ajout_principales"],
                "secondaires": self[f"axe_{axe['code']}_ajout_secondaires"],
                "indicateurs": self[f"axe_{axe['code']}_indicateurs"],
            }
            for axe in self.contenu_initial["axes"]
        ]

    def clean(self):
        donnees = super().clean()
        if self.errors:
            return donnees
        contenu = copy.deepcopy(self.contenu_initial)
        for cle in BLOCS_MODIFIABLES:
            contenu[cle] = donnees[cle]
        for axe in contenu["axes"]:
            code = axe["code"]
            for rang, mission in enumerate(axe["missions"], start=1):
                choix = donnees[f"axe_{code}_mission_{rang}"]
                mission.update(retenue=choix != NON_RETENUE, principale=choix == PRINCIPALE)
            axe["missions_propres"] = [
                {"texte": texte, "principale": principale}
                for principale, champ in ((True, "principales"), (False, "secondaires"))
                for texte in lignes(donnees[f"axe_{code}_ajout_{champ}"])
            ]
            axe["indicateurs"] = lignes(donnees[f"axe_{code}_indicateurs"])
        for champ, messages in erreurs_contenu_lettre(contenu).items():
            self.add_error(champ, messages)
        self.contenu = contenu
        return donnees
