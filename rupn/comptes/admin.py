from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from rupn.comptes.models import Invitation, Role, Utilisateur


class RoleEnLigne(admin.TabularInline):
    model = Role
    extra = 0
    raw_id_fields = ["etablissement"]
    filter_horizontal = ["departements"]


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleEnLigne]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "type", "etablissement", "academie", "debut", "fin"]
    list_filter = ["type", "academie"]
    search_fields = ["utilisateur__email", "utilisateur__last_name", "etablissement__nom", "etablissement__uai"]
    raw_id_fields = ["utilisateur", "etablissement"]
    filter_horizontal = ["departements"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "type_role", "etablissement", "academie", "cree_le", "acceptee_le", "annulee_le"]
    list_filter = ["type_role", "academie"]
    search_fields = ["email"]
    raw_id_fields = ["etablissement", "invite_par", "role"]
    exclude = ["jeton"]
