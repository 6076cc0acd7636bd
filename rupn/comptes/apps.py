from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "rupn.comptes"
    label = "comptes"
    verbose_name = "comptes et rôles"
