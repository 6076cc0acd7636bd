from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from missions import services
from rupn.courriels import url_du_site


class Command(BaseCommand):
    help = (
        "Relance par courriel chaque personne dont une désignation comme RUPN attend encore sa réponse "
        "(au plus une fois tous les RUPN_RELANCE_JOURS jours, un seul courriel par personne). "
        "À lancer chaque jour, par exemple depuis cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jours",
            type=int,
            default=None,
            help="Délai en jours depuis la proposition et entre deux relances (par défaut RUPN_RELANCE_JOURS)",
        )
        parser.add_argument(
            "--simulation",
            action="store_true",
            help="Compte les personnes à relancer sans rien envoyer ni enregistrer",
        )

    def handle(self, *args, jours, simulation, **options):
        if jours is not None and jours < 1:
            raise CommandError("--jours attend un nombre de jours supérieur ou égal à 1.")
        with transaction.atomic():
            nombre = services.consentements_relancer(url_absolue=url_du_site, jours=jours)
            if simulation:
                # Les courriels partent à la validation de la transaction : l'annuler n'envoie rien.
                transaction.set_rollback(True)
        pluriel = "s" if nombre > 1 else ""
        prefixe = "Simulation (aucun courriel envoyé) — " if simulation else ""
        self.stdout.write(f"{prefixe}{nombre} personne{pluriel} relancée{pluriel}")
