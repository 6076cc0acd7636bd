from django.apps import AppConfig


class EnquetesConfig(AppConfig):
    name = "enquetes"
    verbose_name = "enquêtes de fin d'année"
