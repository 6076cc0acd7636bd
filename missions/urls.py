from django.urls import path

from missions.views import academie, consentement, couverture, etablissement, journal

app_name = "missions"

urlpatterns = [
    # Direction de l'établissement
    path("designations/", etablissement.designation_liste, name="designation_liste"),
    path("designations/nouvelle/", etablissement.designation_creer, name="designation_creer"),
    path("designations/renouveler/", etablissement.designation_renouveler, name="designation_renouveler"),
    path("designations/<uuid:uuid>/", etablissement.designation_detail, name="designation_detail"),
    path("designations/<uuid:uuid>/annuler/", etablissement.designation_annuler, name="designation_annuler"),
    path("designations/<uuid:uuid>/terminer/", etablissement.designation_terminer, name="designation_terminer"),
    # Personne désignée
    path("mes-designations/", consentement.mes_designations, name="mes_designations"),
    path("designations/<uuid:uuid>/accepter/", consentement.designation_accepter, name="designation_accepter"),
    path("designations/<uuid:uuid>/refuser/", consentement.designation_refuser, name="designation_refuser"),
    path("designations/reponse/<str:jeton>/", consentement.designation_repondre, name="designation_repondre"),
    path("journal/", journal.journal_liste, name="journal"),
    path("journal/nouvelle/", journal.journal_creer, name="journal_creer"),
    path("journal/export.csv", journal.journal_export, name="journal_export"),
    path("journal/<uuid:uuid>/modifier/", journal.journal_modifier, name="journal_modifier"),
    path("journal/<uuid:uuid>/supprimer/", journal.journal_supprimer, name="journal_supprimer"),
    # Académie
    path("academie/designations/", academie.academie_designations, name="academie_designations"),
    path("academie/designations/valider/", academie.designations_valider, name="designations_valider"),
    path(
        "academie/designations/export/<str:contenu>.<str:format>",
        academie.designation_export,
        name="designation_export",
    ),
    path("academie/couverture/", couverture.couverture, name="couverture"),
    path("academie/couverture/relancer/", couverture.couverture_relancer, name="couverture_relancer"),
    path("academie/enveloppes/", couverture.enveloppe_liste, name="enveloppe_liste"),
    path("academie/enveloppes/<uuid:uuid>/", couverture.enveloppe_modifier, name="enveloppe_modifier"),
    path("academie/taux-imp/", couverture.taux_parametres, name="taux_parametres"),
]
