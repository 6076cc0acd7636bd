"""Bases de formulaires rendus avec les gabarits du DSFR (django-dsfr)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
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


class ListeRapide(forms.Select):
    """Une liste déroulante au HTML du gabarit de Django, écrite en Python : le gabarit rend chaque option par
    un gabarit inclus, ce qui coûtait le quart du temps d'un tableau de bord (listes des bassins, des
    départements, des académies)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _, groupe, _ in widget["optgroups"]
                for option in groupe
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class FormulaireFiltreDsfr(FormulaireDsfr):
    """Formulaire de filtres : tous les champs sont facultatifs, inutile de le répéter sur chacun."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            champ.template_name = "layout/_champ_filtre.html"
            if type(champ.widget) is forms.Select:
                champ.widget.__class__ = ListeRapide  # même état (choix, attributs, classe du DSFR), autre rendu


class ChoixDansUneListe(forms.ModelChoiceField):
    """Un choix parmi quelques dizaines d'objets (académies, départements, bassins), lus une seule fois : un
    ModelChoiceField relit la table pour valider le choix, puis de nouveau pour rendre la liste."""

    def __init__(self, *args, **kwargs):
        self._objets = None
        super().__init__(*args, **kwargs)

    def _set_queryset(self, queryset):
        self._objets = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    @property
    def objets(self):
        if self._objets is None:
            self._objets = list(self.queryset)
        return self._objets

    def _iterer_les_choix(self):
        if self.empty_label is not None:
            yield ("", self.empty_label)
        for objet in self.objets:
            yield (self.prepare_value(objet), self.label_from_instance(objet))

    def _get_choices(self):
        return _ChoixALaDemande(self)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class _ChoixALaDemande(BaseChoiceIterator):
    """Les choix d'un ChoixDansUneListe, lus seulement quand on les parcourt (une page qui valide les filtres sans
    les afficher, un export, ne lit pas la table). BaseChoiceIterator : Django ne les parcourt pas d'avance."""

    def __init__(self, champ):
        self.champ = champ

    def __iter__(self):
        return self.champ._iterer_les_choix()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for objet in self.objets:
            if str(self.prepare_value(objet)) == str(value):
                return objet
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
