from django.urls import path

from rupn.maturite import views

app_name = "maturite"

urlpatterns = [
    path("maturite/", views.grille, name="grille"),
    path("maturite/etablissement/<uuid:uuid>/item/", views.item_enregistrer, name="item_enregistrer"),
    path("maturite/academie/", views.academie, name="academie"),
    path("maturite/academie/grille/", views.grille_modifier, name="grille_modifier"),
    path("maturite/academie/grille/version/<int:version>/", views.grille_version, name="grille_version"),
]
