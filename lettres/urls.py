from django.urls import path

from lettres import views
from lettres.vues import listes, redaction, signature, verification

app_name = "lettres"

urlpatterns = [
    # Établissement et RUPN
    path("lettres/", listes.lettre_liste, name="lettre_liste"),
    path("mes-lettres/", listes.mes_lettres, name="mes_lettres"),
    path("lettres/nouvelle/", redaction.lettre_creer, name="lettre_creer"),
    path("lettres/<uuid:uuid>/", redaction.lettre_detail, name="lettre_detail"),
    path("lettres/<uuid:uuid>/modifier/", redaction.lettre_modifier, name="lettre_modifier"),
    path("lettres/<uuid:uuid>/envoyer/", redaction.lettre_envoyer, name="lettre_envoyer"),
    path("lettres/<uuid:uuid>/commenter/", redaction.lettre_commenter, name="lettre_commenter"),
    path("lettres/<uuid:uuid>/approuver/", redaction.lettre_approuver, name="lettre_approuver"),
    path("lettres/<uuid:uuid>/signer/", signature.lettre_signer, name="lettre_signer"),
    path("lettres/<uuid:uuid>/pdf/", signature.lettre_pdf, name="lettre_pdf"),
    path("lettres/<uuid:uuid>/annuler/", signature.lettre_annuler, name="lettre_annuler"),
    path("lettres/<uuid:uuid>/avenant/", signature.lettre_avenant, name="lettre_avenant"),
    # Vérification publique (sans connexion)
    path("verifier/", verification.verification, name="verification"),
    path("verifier/<str:code>/", verification.verification_code, name="verification_code"),
    # Académie
    path("academie/lettres/", listes.academie_lettres, name="academie_lettres"),
    path("academie/lettres/export.csv", listes.lettre_export, name="lettre_export"),
    path("academie/lettres/lettres-signees.zip", listes.lettre_zip, name="lettre_zip"),
    path("academie/modele-de-lettre/", views.modele, name="modele"),
    path("academie/modele-de-lettre/<uuid:uuid>/", views.modele_version, name="modele_version"),
]
