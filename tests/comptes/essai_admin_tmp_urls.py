from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

admin.site.login = secure_admin_login(admin.site.login)
urlpatterns = [path("comptes/", include("allauth.urls")), path("admin/", admin.site.urls)]
