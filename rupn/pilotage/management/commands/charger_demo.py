from django.core.management.base import BaseCommand

from rupn.pilotage import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (établissements réels de Toulouse, personnes fictives)."

    def handle(self, *args, **options):
        demo.charger(sortie=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe : {demo.MOT_DE_PASSE}) :"))
        for email, roles in demo.comptes_a_afficher():
            self.stdout.write(f"  {email:<36} {roles}")
