from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from rupn import views

# La connexion à l'administration passe par allauth (et sa double authentification).
admin.site.login = secure_admin_login(admin.site.login)

handler403 = "rupn.views.erreur_403"
handler404 = "rupn.views.erreur_404"
handler500 = "rupn.views.erreur_500"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", views.donnees_personnelles, name="donnees_personnelles"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("plan-du-site/", views.plan_du_site, name="plan_du_site"),
    path("comptes/", include("allauth.urls")),
    path("", include("rupn.comptes.urls")),
    path("", include("rupn.territoires.urls")),
    path("", include("missions.urls")),
    path("", include("lettres.urls")),
    path("", include("enquetes.urls")),
    path("", include("rupn.maturite.urls")),
    path("", include("rupn.pilotage.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
