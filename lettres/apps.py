from django.apps import AppConfig


class LettresConfig(AppConfig):
    name = "lettres"
    verbose_name = "lettres de mission"
