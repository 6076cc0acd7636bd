"""Export du journal d'activités d'un RUPN (django-import-export) : une ligne par entrée, avec les filtres
de la liste. Dates et nombres gardent leur type (CSV à la française : « 1,50 »)."""

from import_export import fields, resources, widgets

from missions.models import Activite
from rupn.exports import ExportSansFormuleMixin

TITRE_EXPORT = "Journal d'activités"
_NOMBRE = widgets.DecimalWidget(coerce_to_string=False)


class ActiviteExportResource(ExportSansFormuleMixin, resources.ModelResource):
    date = fields.Field(attribute="date", column_name="Date", widget=widgets.DateWidget(coerce_to_string=False))
    annee = fields.Field(attribute="designation__annee__code", column_name="Année scolaire")
    uai = fields.Field(attribute="designation__etablissement__uai", column_name="UAI")
    etablissement = fields.Field(attribute="designation__etablissement__nom", column_name="Établissement")
    categorie = fields.Field(attribute="get_categorie_display", column_name="Catégorie")
    axe = fields.Field(
        attribute="axe", column_name="Axe de la lettre de mission", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    personnes_touchees = fields.Field(
        attribute="personnes_touchees",
        column_name="Personnes touchées",
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    duree = fields.Field(attribute="duree", column_name="Durée (heures)", widget=_NOMBRE)
    description = fields.Field(attribute="description", column_name="Description")

    class Meta:
        model = Activite
        fields = (
            "date",
            "annee",
            "uai",
            "etablissement",
            "categorie",
            "axe",
            "personnes_touchees",
            "duree",
            "description",
        )


def exporter(activites):
    """Le tableau (tablib.Dataset) des entrées, de la plus ancienne à la plus récente."""
    return ActiviteExportResource().export(activites.avec_donnees_liste().order_by("date", "pk"))
