from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rupn.pilotage import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (établissements réels de Toulouse, personnes fictives)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--forcer",
            action="store_true",
            help="Charge la démonstration même hors développement (DEBUG désactivé)",
        )

    def handle(self, *args, forcer, **options):
        if not settings.DEBUG and not forcer:
            # Les comptes de démonstration ont un mot de passe publié : jamais en production par mégarde.
            raise CommandError(
                "La démonstration crée des comptes au mot de passe connu : elle ne se charge qu'en "
                "développement (DEBUG). Ajoutez --forcer pour une base de démonstration ou de test."
            )
        demo.charger(sortie=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe : {demo.MOT_DE_PASSE}) :"))
        for email, roles in demo.comptes_a_afficher():
            self.stdout.write(f"  {email:<36} {roles}")
