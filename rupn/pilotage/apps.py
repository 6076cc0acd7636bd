from django.apps import AppConfig


class PilotageConfig(AppConfig):
    name = "rupn.pilotage"
    label = "pilotage"
    verbose_name = "pilotage"
