from django.urls import path

from lettres import views

app_name = "lettres"

urlpatterns = [
    # Académie
    path("academie/modele-de-lettre/", views.modele, name="modele"),
    path("academie/modele-de-lettre/<uuid:uuid>/", views.modele_version, name="modele_version"),
]
