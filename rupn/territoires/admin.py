from django.contrib import admin

from rupn.territoires.models import Academie, AnneeScolaire, Bassin, Departement, Etablissement, ImportAnnuaire


@admin.register(Academie)
class AcademieAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "region", "libelle_service", "premier_mois_paiement"]
    list_editable = ["libelle_service", "premier_mois_paiement"]
    search_fields = ["nom", "code"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "academie"]
    list_filter = ["academie"]
    search_fields = ["nom", "code"]


@admin.register(Bassin)
class BassinAdmin(admin.ModelAdmin):
    list_display = ["code", "libelle", "academie"]
    list_filter = ["academie"]
    search_fields = ["libelle", "code"]


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ["uai", "nom", "type", "secteur", "departement", "commune", "ouvert"]
    list_filter = ["academie", "type", "secteur", "ouvert"]
    search_fields = ["uai", "nom", "commune"]
    list_select_related = ["departement"]
    raw_id_fields = ["etablissement_mere"]
    readonly_fields = ["uuid"]


@admin.register(AnneeScolaire)
class AnneeScolaireAdmin(admin.ModelAdmin):
    list_display = ["code", "debut", "fin"]


@admin.register(ImportAnnuaire)
class ImportAnnuaireAdmin(admin.ModelAdmin):
    list_display = ["cree_le", "academie", "nom_fichier", "auteur", "statut"]
    list_filter = ["academie", "statut"]
    readonly_fields = [field.name for field in ImportAnnuaire._meta.fields]

    def has_add_permission(self, request):
        return False
