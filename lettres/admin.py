"""Administration : les versions du modèle de lettre, en lecture seule.

Une version ne change plus une fois enregistrée ; les suivantes s'enregistrent par la page du modèle
(service `modele_enregistrer`)."""

from django.contrib import admin

from lettres.models import ModeleLettre


@admin.register(ModeleLettre)
class ModeleLettreAdmin(admin.ModelAdmin):
    list_display = ["academie", "version", "cree_le", "cree_par", "commentaire"]
    list_filter = ["academie"]
    list_select_related = ["academie", "cree_par"]
    ordering = ["academie__nom", "-version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
