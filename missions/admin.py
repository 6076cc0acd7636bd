"""Administration : consultation, et la table des taux d'IMP (donnée datée, modifiée à chaque arrêté).

Les désignations changent d'état par les pages de l'application (services journalisés) :
elles sont ici en lecture seule."""

from django.contrib import admin

from missions.models import Designation, Enveloppe, TauxIMP, Transition


@admin.register(TauxIMP)
class TauxIMPAdmin(admin.ModelAdmin):
    list_display = ["montant", "valable_du", "valable_au", "texte"]
    filter_horizontal = ["academies"]

    def get_readonly_fields(self, request, obj=None):
        # Un taux publié ne change pas : un nouvel arrêté fait une nouvelle ligne datée.
        return ["montant", "valable_du"] if obj else []


class TransitionEnLigne(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["de", "vers", "par", "le", "commentaire"]


@admin.register(Designation)
class DesignationAdmin(admin.ModelAdmin):
    list_display = ["agent", "etablissement", "annee", "statut", "taux", "heures_allegement", "montant"]
    list_filter = ["annee", "statut", "etablissement__academie"]
    search_fields = ["agent__email", "agent__last_name", "etablissement__uai", "etablissement__nom"]
    list_select_related = ["agent", "etablissement", "annee", "taux"]
    inlines = [TransitionEnLigne]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Enveloppe)
class EnveloppeAdmin(admin.ModelAdmin):
    list_display = ["etablissement", "annee", "montant", "modifiee_le"]
    list_filter = ["annee", "etablissement__academie"]
    search_fields = ["etablissement__uai", "etablissement__nom"]
    raw_id_fields = ["etablissement"]
