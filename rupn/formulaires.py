"""Bases de formulaires rendus avec les gabarits du DSFR (django-dsfr)."""

from django import forms
from dsfr.forms import DsfrBaseForm


class _RenduDsfr(DsfrBaseForm):
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
