from django.urls import path

from enquetes.vues import analyse, construction, participation

app_name = "enquetes"

urlpatterns = [
    # DANE : l'enquête de l'année, sa construction et sa campagne
    path("academie/enquetes/", construction.enquete_liste, name="enquete_liste"),
    path("academie/enquetes/creer/", construction.enquete_creer, name="enquete_creer"),
    path("academie/enquetes/<uuid:uuid>/", construction.enquete_detail, name="enquete_detail"),
    path("academie/enquetes/<uuid:uuid>/modifier/", construction.enquete_modifier, name="enquete_modifier"),
    path("academie/enquetes/<uuid:uuid>/apercu/", construction.enquete_apercu, name="enquete_apercu"),
    path("academie/enquetes/<uuid:uuid>/sections/nouvelle/", construction.section_creer, name="section_creer"),
    path("academie/enquetes/sections/<int:pk>/modifier/", construction.section_modifier, name="section_modifier"),
    path("academie/enquetes/<uuid:uuid>/questions/nouvelle/", construction.question_creer, name="question_creer"),
    path("academie/enquetes/questions/<int:pk>/modifier/", construction.question_modifier, name="question_modifier"),
    path("academie/enquetes/questions/<int:pk>/supprimer/", construction.question_supprimer, name="question_supprimer"),
    path("academie/enquetes/<uuid:uuid>/lancer/", construction.campagne_lancer, name="campagne_lancer"),
    path("academie/enquetes/<uuid:uuid>/participations/", construction.participation_liste, name="participation_liste"),
    path(
        "academie/enquetes/<uuid:uuid>/relancer/", construction.participations_relancer, name="participations_relancer"
    ),
    path(
        "academie/participations/<uuid:uuid>/rouvrir/", construction.participation_rouvrir, name="participation_rouvrir"
    ),
    # DANE : analyse et exports
    path("academie/enquetes/<uuid:uuid>/analyse/", analyse.enquete_analyse, name="enquete_analyse"),
    path("academie/enquetes/<uuid:uuid>/reponses.<str:format>", analyse.reponses_export, name="reponses_export"),
    # RUPN : remplir ; direction : lire et prendre connaissance
    path("mes-enquetes/", participation.mes_enquetes, name="mes_enquetes"),
    path("enquete/<uuid:uuid>/", participation.participation_detail, name="participation_detail"),
    path("enquete/<uuid:uuid>/etape/<int:rang>/", participation.participation_etape, name="participation_etape"),
    path(
        "enquete/<uuid:uuid>/recapitulatif/",
        participation.participation_recapitulatif,
        name="participation_recapitulatif",
    ),
    path("enquete/<uuid:uuid>/envoyer/", participation.participation_soumettre, name="participation_soumettre"),
    path("enquete/<uuid:uuid>/compte-rendu.pdf", participation.compte_rendu_pdf, name="compte_rendu_pdf"),
    path("enquete/<uuid:uuid>/prendre-connaissance/", participation.prendre_connaissance, name="prendre_connaissance"),
    path("comptes-rendus/", participation.comptes_rendus, name="comptes_rendus"),
]
