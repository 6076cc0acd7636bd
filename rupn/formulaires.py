"""Bases de formulaires rendus avec les gabarits du DSFR (django-dsfr)."""

from django import forms
from dsfr.forms import DsfrBaseForm


class _RenduDsfr(DsfrBaseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            # django-dsfr ne pose la classe de groupe que sur certains widgets et compte sur
            # « |default » dans ses gabarits pour les autres : on la pose partout.
            if not hasattr(champ.widget, "group_class"):
                champ.widget.group_class = "fr-input-group"

    def get_context(self):
        # Les champs facultatifs sont signalés (DSFR_MARK_OPTIONAL_FIELDS) ; on évite ainsi
        # l'avertissement que django-dsfr émet à chaque rendu pendant sa transition.
        contexte = forms.BaseForm.get_context(self)
        contexte.setdefault("DSFR_MARK_OPTIONAL_FIELDS", True)
        return contexte


class FormulaireDsfr(_RenduDsfr):
    pass


class FormulaireModeleDsfr(_RenduDsfr, forms.ModelForm):
    pass


class FormulaireFiltreDsfr(FormulaireDsfr):
    """Formulaire de filtres : tous les champs sont facultatifs, inutile de le répéter sur chacun."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            champ.template_name = "layout/_champ_filtre.html"
