"""Formulaires des lettres de mission : le modèle de l'académie."""

import re

from django import forms

from lettres.modele_par_defaut import (
    BLOCS,
    CODES_AXES,
    LONGUEUR_LIGNE,
    LONGUEUR_TEXTE,
    LONGUEUR_TITRE,
    NOMBRE_MAX,
    message_manquant,
    valider_contenu,
)
from rupn.formulaires import FormulaireDsfr

# Une puce recopiée d'un traitement de texte en tête de ligne : « - », « • », « * », « – ».
PUCE = re.compile(r"^[-•*–]\s+")


def lignes(texte):
    """Les lignes non vides d'une zone de texte « une par ligne », sans espaces ni puce en tête."""
    return [PUCE.sub("", ligne.strip()) for ligne in texte.splitlines() if ligne.strip()]


class ChampTexte(forms.CharField):
    r"""Une zone de texte dont les fins de ligne sont celles du contenu enregistré (« \n ») : les
    navigateurs envoient « \r\n », et un modèle renvoyé tel quel ne doit pas sembler modifié."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


def _zone(label, aide, lignes_visibles, requis=False, cle=None):
    return ChampTexte(
        label=label,
        help_text=aide,
        required=requis,
        widget=forms.Textarea(attrs={"rows": lignes_visibles}),
        error_messages={"required": message_manquant(cle)} if requis else None,
    )


def _champs_axes():
    champs = {}
    for code in CODES_AXES:
        champs[f"axe_{code}_titre"] = forms.CharField(
            label=f"Titre de l'axe {code}",
            help_text=f"{LONGUEUR_TITRE} caractères au plus.",
            error_messages={"required": message_manquant(f"axe_{code}_titre")},
        )
        champs[f"axe_{code}_missions"] = _zone(
            "Missions suggérées",
            f"Une mission par ligne ({NOMBRE_MAX['missions']} au plus, {LONGUEUR_LIGNE} caractères chacune) : "
            "le chef d'établissement choisit celles de sa lettre et peut en ajouter.",
            8,
            requis=True,
            cle=f"axe_{code}_missions",
        )
        champs[f"axe_{code}_indicateurs"] = _zone(
            "Indicateurs suggérés",
            f"Un indicateur par ligne ({NOMBRE_MAX['indicateurs']} au plus) : ils sont arrêtés avec le RUPN dans "
            "chaque lettre.",
            4,
        )
    return champs


class ModeleLettreForm(FormulaireDsfr):
    """Le modèle de lettre de l'académie ; prérempli avec la version `modele`. Les règles (longueurs,
    éléments obligatoires) sont celles de `valider_contenu`, que `clean` applique au contenu reconstitué."""

    preambule = _zone(
        BLOCS["preambule"],
        f"Le cadre de la mission, en tête de chaque lettre ; un paragraphe par ligne, {LONGUEUR_TEXTE} caractères "
        "au plus.",
        10,
        requis=True,
        cle="preambule",
    )
    moyens = _zone(BLOCS["moyens"], "Un paragraphe par ligne.", 4)
    formation = _zone(BLOCS["formation"], "Le plan de formation proposé aux RUPN ; un paragraphe par ligne.", 4)
    suivi = _zone(BLOCS["suivi"], "Compte rendu annuel, journal d'activités, tickets ; un paragraphe par ligne.", 4)
    commentaire = forms.CharField(
        label="Commentaire de version",
        max_length=200,
        required=False,
        help_text="Ce qui change, en quelques mots : il figure dans l'historique des versions.",
    )

    def __init__(self, *args, modele, **kwargs):
        contenu = modele.contenu
        initial = {cle: contenu[cle] for cle in BLOCS}
        for axe in contenu["axes"]:
            code = axe["code"]
            initial[f"axe_{code}_titre"] = axe["titre"]
            initial[f"axe_{code}_missions"] = "\n".join(axe["missions"])
            initial[f"axe_{code}_indicateurs"] = "\n".join(axe["indicateurs"])
        # Les champs des quatre axes se placent entre le préambule et les blocs, avant l'initialisation
        # commune qui prépare le rendu DSFR de chaque champ.
        communs = dict(type(self).base_fields)
        self.base_fields = {"preambule": communs.pop("preambule"), **_champs_axes(), **communs}
        super().__init__(*args, initial=initial, **kwargs)

    def axes(self):
        """Pour le gabarit : (code, titre, missions, indicateurs) de chaque axe, en champs liés."""
        return [
            (code, self[f"axe_{code}_titre"], self[f"axe_{code}_missions"], self[f"axe_{code}_indicateurs"])
            for code in CODES_AXES
        ]

    def clean(self):
        donnees = super().clean()
        if not self.errors:
            self.contenu = {
                **{cle: donnees[cle] for cle in BLOCS},
                "axes": [
                    {
                        "code": code,
                        "titre": donnees[f"axe_{code}_titre"],
                        "missions": lignes(donnees[f"axe_{code}_missions"]),
                        "indicateurs": lignes(donnees[f"axe_{code}_indicateurs"]),
                    }
                    for code in CODES_AXES
                ],
            }
            try:
                valider_contenu(self.contenu)
            except forms.ValidationError as erreur:
                self.add_error(None, erreur)
        return donnees
