from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "rupn.territoires"
    label = "territoires"
    verbose_name = "territoires et établissements"
