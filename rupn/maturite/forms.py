"""Formulaires de la grille de maturité : filtres de la page académique (DANE, correspondants, national) et
nouvelle version de la grille (DANE)."""

from django import forms
from django.utils.text import slugify

from rupn.formulaires import FormulaireDsfr
from rupn.maturite.models import Item
from rupn.maturite.versions import LONGUEUR_CODE, LONGUEUR_LIBELLE
from rupn.territoires.forms import EtablissementFiltreForm


class MaturiteFiltreForm(EtablissementFiltreForm):
    """Département et type d'établissement."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in ("q", "etat", "bassin", "secteur"):
            del self.fields[champ]

    def filtrer(self, etablissements):
        """Les établissements demandés ; aucun si un filtre est invalide (jamais plus que demandé)."""
        if not self.is_valid():
            return etablissements.none()
        for champ in ("departement", "type"):
            if self.cleaned_data[champ]:
                etablissements = etablissements.filter(**{champ: self.cleaned_data[champ]})
        return etablissements


NOUVEAUX_PAR_DOMAINE = 3
"""Lignes vides proposées dans chaque domaine pour ajouter des items (plus : enregistrer, puis recommencer)."""


class GrilleModifierForm(FormulaireDsfr):
    """La version suivante de la grille : libellé de chaque item gardé, items retirés, items ajoutés (code, niveau,
    libellé). `clean` reconstitue `self.contenu` (forme de rupn/maturite/versions.py) ; les règles d'ensemble
    (un item à chaque niveau, niveaux gardés) sont celles de `versions.valider_contenu`, appliquées par le
    service."""

    commentaire = forms.CharField(
        label="Commentaire de version",
        max_length=200,
        required=False,
        help_text="Ce qui change, en quelques mots : il figure dans l'historique des versions.",
    )

    def __init__(self, *args, grille, **kwargs):
        self.grille = grille
        self.domaines_grille = list(grille.domaines.prefetch_related("items"))
        champs = {}
        for domaine in self.domaines_grille:
            for item in domaine.items.all():
                # Obligatoire, sauf pour un item retiré (voir `clean`).
                champs[f"libelle__{domaine.code}__{item.code}"] = forms.CharField(
                    label=f"Libellé de l'item « {item.code} »",
                    max_length=LONGUEUR_LIBELLE,
                    initial=item.libelle,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    error_messages={"required": "Indiquez le libellé de l'item, ou cochez « Retirer l'item »."},
                )
                champs[f"retirer__{domaine.code}__{item.code}"] = forms.BooleanField(
                    label=f"Retirer l'item « {item.code} » de la grille", required=False
                )
            for rang in range(1, NOUVEAUX_PAR_DOMAINE + 1):
                prefixe = f"nouveau__{domaine.code}__{rang}"
                champs[f"{prefixe}__code"] = forms.CharField(
                    label=f"Code du nouvel item {rang}",
                    max_length=LONGUEUR_CODE,
                    required=False,
                )
                champs[f"{prefixe}__niveau"] = forms.TypedChoiceField(
                    label=f"Niveau du nouvel item {rang}",
                    choices=[("", "—"), *Item.Niveau.choices],
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
                champs[f"{prefixe}__libelle"] = forms.CharField(
                    label=f"Libellé du nouvel item {rang}",
                    max_length=LONGUEUR_LIBELLE,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
        self.base_fields = {**champs, **type(self).base_fields}
        super().__init__(*args, **kwargs)

    def domaines(self):
        """Pour le gabarit : par domaine, ses items gardés (item, libellé, retirer) et les lignes d'ajout
        (code, niveau, libellé), en champs liés."""
        return [
            {
                "domaine": domaine,
                "items": [
                    (
                        item,
                        self[f"libelle__{domaine.code}__{item.code}"],
                        self[f"retirer__{domaine.code}__{item.code}"],
                    )
                    for item in domaine.items.all()
                ],
                "nouveaux": [
                    tuple(self[f"nouveau__{domaine.code}__{rang}__{nom}"] for nom in ("code", "niveau", "libelle"))
                    for rang in range(1, NOUVEAUX_PAR_DOMAINE + 1)
                ],
            }
            for domaine in self.domaines_grille
        ]

    def _signaler(self, nom, message):
        """Une erreur sur le champ `nom`, s'il n'en a pas déjà une (longueur, choix invalide)."""
        if nom not in self.errors:
            self.add_error(nom, message)

    def clean(self):
        donnees = super().clean()
        codes_pris = {item.code for domaine in self.domaines_grille for item in domaine.items.all()}
        contenu = []
        for domaine in self.domaines_grille:
            items = []
            for item in domaine.items.all():
                nom = f"libelle__{domaine.code}__{item.code}"
                if donnees.get(f"retirer__{domaine.code}__{item.code}"):
                    self._errors.pop(nom, None)  # le libellé d'un item retiré n'importe plus
                    continue
                items.append((item.code, item.niveau, donnees.get(nom, "")))
            for rang in range(1, NOUVEAUX_PAR_DOMAINE + 1):
                prefixe = f"nouveau__{domaine.code}__{rang}"
                code = (donnees.get(f"{prefixe}__code") or "").strip()
                niveau = donnees.get(f"{prefixe}__niveau")
                libelle = (donnees.get(f"{prefixe}__libelle") or "").strip()
                if not (code or niveau or libelle):
                    continue  # ligne laissée vide (ou refusée champ par champ)
                if not code:
                    self._signaler(f"{prefixe}__code", "Indiquez le code du nouvel item.")
                elif slugify(code) != code:
                    self._signaler(
                        f"{prefixe}__code",
                        f"Code « {code} » invalide : lettres minuscules sans accent, chiffres et tirets "
                        "(par exemple pilotage-ia).",
                    )
                elif code in codes_pris:
                    self._signaler(f"{prefixe}__code", f"Le code « {code} » est déjà celui d'un item de la grille.")
                if niveau is None:
                    self._signaler(f"{prefixe}__niveau", "Choisissez le niveau du nouvel item.")
                if not libelle:
                    self._signaler(f"{prefixe}__libelle", "Indiquez le libellé du nouvel item.")
                codes_pris.add(code)
                items.append((code, niveau, libelle))
            contenu.append({"code": domaine.code, "items": items})
        if not self.errors:
            self.contenu = contenu
        return donnees
