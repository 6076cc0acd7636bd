from django.apps import AppConfig


class ProConnectConfig(AppConfig):
    """Fournisseur ProConnect pour django-allauth (authentification des agents de l'État)."""

    name = "rupn.comptes.proconnect"
    # Étiquette propre au projet : allauth n'a ni application ni fournisseur « proconnect ».
    label = "proconnect"
    verbose_name = "ProConnect"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from rupn.comptes.proconnect.deconnexion import memoriser_id_token

        user_logged_in.connect(memoriser_id_token, dispatch_uid="proconnect_memoriser_id_token")
