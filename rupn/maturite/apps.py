from django.apps import AppConfig


class MaturiteConfig(AppConfig):
    name = "rupn.maturite"
    label = "maturite"
    verbose_name = "grille de maturité numérique"
