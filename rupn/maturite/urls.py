from django.urls import path

from rupn.maturite import views

app_name = "maturite"

urlpatterns = [
    path("maturite/", views.grille, name="grille"),
    path("maturite/academie/", views.academie, name="academie"),
]
