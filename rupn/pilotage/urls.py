from django.urls import path

from rupn.pilotage import views

app_name = "pilotage"

urlpatterns = [
    path("pilotage/", views.tableau_de_bord, name="tableau_de_bord"),
    path("pilotage/evolution/", views.evolution, name="evolution"),
    path("pilotage/etablissements/", views.etablissements, name="etablissements"),
    path("pilotage/etablissements/relancer/", views.relancer, name="relancer"),
    path("pilotage/etablissements/<uuid:uuid>/", views.fiche, name="fiche"),
    path("pilotage/export/<slug:nom>.<slug:format>", views.export, name="export"),
    path("mon-etablissement/", views.mon_etablissement, name="mon_etablissement"),
]
