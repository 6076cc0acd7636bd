"""Adresses ProConnect, incluses par allauth sous /comptes/ (voir docs/proconnect.md)."""

from django.urls import include, path

from rupn.comptes.proconnect import views

urlpatterns = [
    path(
        "proconnect/",
        include(
            [
                path("login/", views.connexion, name="proconnect_login"),
                path("login/callback/", views.retour_connexion, name="proconnect_callback"),
                path("logout/callback/", views.retour_deconnexion, name="proconnect_logout_callback"),
            ]
        ),
    )
]
