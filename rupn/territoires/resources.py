"""Ressources django-import-export des établissements : import de l'annuaire et exports."""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from rupn.exports import ExportSansFormuleMixin
from rupn.territoires.models import Etablissement

CHAMPS_ANNUAIRE = [
    "uai",
    "nom",
    "type",
    "nature_code",
    "nature_libelle",
    "secteur",
    "academie",
    "departement",
    "bassin",
    "commune_code",
    "commune",
    "email",
    "type_rattachement",
    "ouvert",
    "date_ouverture",
    "date_fermeture",
    "date_maj_annuaire",
]


class CleEnMemoireWidget(widgets.ForeignKeyWidget):
    """Clé étrangère résolue dans un dictionnaire chargé une fois, sans requête par ligne."""

    def __init__(self, objets_par_code):
        super().__init__(model=None, field="code")
        self.objets_par_code = objets_par_code

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        try:
            return self.objets_par_code[value]
        except KeyError:
            raise ValueError(f"code « {value} » inconnu dans l'académie") from None

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class EtablissementAnnuaireResource(resources.ModelResource):
    """Écrit les lignes retenues de l'annuaire, déjà normalisées par `annuaire.py`.

    Chargement des établissements existants en une requête, écriture par lots,
    lignes inchangées reconnues et signalées comme telles.
    """

    def __init__(self, *, academie, departements, bassins):
        self.academie_unique = academie
        super().__init__()
        self.fields["academie"] = fields.Field(
            attribute="academie",
            column_name="academie",
            widget=CleEnMemoireWidget({academie.code: academie}),
        )
        self.fields["departement"] = fields.Field(
            attribute="departement",
            column_name="departement",
            widget=CleEnMemoireWidget(departements),
        )
        self.fields["bassin"] = fields.Field(
            attribute="bassin", column_name="bassin", widget=CleEnMemoireWidget(bassins)
        )

    class Meta:
        model = Etablissement
        fields = CHAMPS_ANNUAIRE
        import_id_fields = ["uai"]
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 500
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        clean_model_instances = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Les clés étrangères viennent des dictionnaires ci-dessus et l'UAI est unique dans le
        # fichier (doublons rejetés en amont) : on évite les requêtes de full_clean par ligne.
        erreurs = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[
                    *erreurs,
                    "academie",
                    "departement",
                    "bassin",
                    "etablissement_mere",
                ],
                validate_unique=False,
            )
        except ValidationError as erreur:
            erreurs = erreur.update_error_dict(erreurs)
        if erreurs:
            raise ValidationError(erreurs)


class EtablissementExportResource(ExportSansFormuleMixin, resources.ModelResource):
    """Export de la liste des établissements (CSV, XLSX), colonnes en français."""

    uai = fields.Field(attribute="uai", column_name="UAI")
    nom = fields.Field(attribute="nom", column_name="Nom")
    type = fields.Field(attribute="get_type_display", column_name="Type")
    nature = fields.Field(attribute="nature_libelle", column_name="Nature")
    secteur = fields.Field(attribute="get_secteur_display", column_name="Secteur")
    departement_code = fields.Field(attribute="departement__code", column_name="Code département")
    departement = fields.Field(attribute="departement__nom", column_name="Département")
    bassin = fields.Field(attribute="bassin__libelle", column_name="Bassin de formation")
    commune = fields.Field(attribute="commune", column_name="Commune")
    email = fields.Field(attribute="email", column_name="Adresse électronique")
    ouvert = fields.Field(column_name="État")

    class Meta:
        model = Etablissement
        fields = (
            "uai",
            "nom",
            "type",
            "nature",
            "secteur",
            "departement_code",
            "departement",
            "bassin",
            "commune",
            "email",
            "ouvert",
        )

    def dehydrate_ouvert(self, etablissement):
        return "ouvert" if etablissement.ouvert else "fermé"
