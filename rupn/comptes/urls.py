from django.urls import path

from rupn.comptes import views

app_name = "comptes"

urlpatterns = [
    path("role/", views.role_choisir, name="role_choisir"),
    path("invitations/", views.invitation_liste, name="invitation_liste"),
    path("invitations/nouvelle/", views.invitation_creer, name="invitation_creer"),
    path(
        "invitations/<uuid:uuid>/annuler/",
        views.invitation_annuler,
        name="invitation_annuler",
    ),
    path("invitation/<str:jeton>/", views.invitation_accepter, name="invitation_accepter"),
]
