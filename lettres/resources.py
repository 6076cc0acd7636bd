"""Export des lettres de mission (django-import-export) : une ligne par lettre, sans adresse électronique."""

from django.db.models import Prefetch
from django.utils import timezone
from import_export import fields, resources

from lettres.models import LettreMission
from missions.models import Designation
from rupn.exports import ExportSansFormuleMixin

TITRE_EXPORT = "Lettres de mission"


def avec_rupn(lettres):
    """Les lettres avec leur établissement, leur année et leurs désignations (personnes comprises), dans
    l'ordre alphabétique des personnes : une liste ou un export en un nombre fixe de requêtes."""
    return (
        lettres.avec_donnees_liste()
        # Ni le contenu de la lettre ni celui de son modèle : une liste n'en montre rien.
        .defer("contenu", "modele__contenu")
        .prefetch_related(
            Prefetch(
                "designations",
                queryset=Designation.objects.select_related("agent").order_by("agent__last_name", "agent__first_name"),
            )
        )
    )


class LettreExportResource(ExportSansFormuleMixin, resources.ModelResource):
    """Colonnes en français. Le code de vérification n'est donné que pour une lettre qui a été scellée : c'est
    celui qu'imprime son PDF ; celui d'un brouillon ne sert encore à rien."""

    uai = fields.Field(attribute="etablissement__uai", column_name="UAI")
    etablissement = fields.Field(attribute="etablissement__nom", column_name="Établissement")
    annee = fields.Field(attribute="annee__code", column_name="Année scolaire")
    rupn = fields.Field(column_name="RUPN")
    statut = fields.Field(attribute="get_statut_display", column_name="État")
    code_verification = fields.Field(column_name="Code de vérification")
    scellee_le = fields.Field(column_name="Scellée le")

    class Meta:
        model = LettreMission
        fields = ("uai", "etablissement", "annee", "rupn", "statut", "code_verification", "scellee_le")

    def dehydrate_rupn(self, lettre):
        # Les noms seuls : l'adresse électronique n'a rien à faire dans ce fichier.
        return ", ".join(designation.agent.nom_public for designation in lettre.designations.all())

    def dehydrate_code_verification(self, lettre):
        return lettre.code_verification if lettre.scellee_le else ""

    def dehydrate_scellee_le(self, lettre):
        # Heure de Paris, à la seconde : « 2026-06-30 14:05:12 ».
        if lettre.scellee_le is None:
            return ""
        return timezone.localtime(lettre.scellee_le).replace(tzinfo=None, microsecond=0)


def exporter(lettres):
    """Le tableau (tablib.Dataset) de l'export des lettres."""
    return LettreExportResource().export(avec_rupn(lettres))
