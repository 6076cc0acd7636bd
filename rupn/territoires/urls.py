from django.urls import path

from rupn.territoires import views

app_name = "territoires"

urlpatterns = [
    path("academie/parametres/", views.academie_parametres, name="academie_parametres"),
    path("etablissements/", views.etablissement_liste, name="etablissement_liste"),
    path(
        "etablissements/export.<str:format>",
        views.etablissement_export,
        name="etablissement_export",
    ),
    path(
        "etablissements/<uuid:uuid>/",
        views.etablissement_detail,
        name="etablissement_detail",
    ),
    path("etablissements/imports/", views.import_liste, name="import_liste"),
    path("etablissements/imports/<uuid:uuid>/", views.import_apercu, name="import_apercu"),
    path("etablissements/imports/<uuid:uuid>/avancement/", views.import_avancement, name="import_avancement"),
    path(
        "etablissements/imports/<uuid:uuid>/confirmer/",
        views.import_confirmer,
        name="import_confirmer",
    ),
    path(
        "etablissements/imports/<uuid:uuid>/abandonner/",
        views.import_abandonner,
        name="import_abandonner",
    ),
]
