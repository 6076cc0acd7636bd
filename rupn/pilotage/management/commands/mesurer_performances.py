"""Mesure les performances : un ou plusieurs scénarios, tous par défaut."""

from django.core.management.base import BaseCommand, CommandError

from rupn.pilotage.performances import SCENARIOS, MesureImpossible, Mesures, Parametres


class Command(BaseCommand):
    help = (
        "Lance les scénarios de mesure (tous si aucun n'est donné) et affiche une ligne "
        "« scénario: figure = valeur unité » par chiffre. Les écritures sont annulées."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "scenarios",
            nargs="*",
            metavar="SCENARIO",
            help=f"scénarios à lancer, parmi : {', '.join(SCENARIOS)} (défaut : tous)",
        )
        parser.add_argument(
            "--fichier",
            help="fichier CSV de l'annuaire de l'éducation (défaut : $RUPN_FICHIER_ANNUAIRE, "
            "sinon ../shared/data/fr-en-annuaire-education_occitanie_2024-11-26.csv)",
        )

    def handle(self, *args, scenarios, fichier, **options):
        inconnus = [nom for nom in scenarios if nom not in SCENARIOS]
        if inconnus:
            raise CommandError(
                f"Scénario inconnu : {', '.join(inconnus)}. Scénarios disponibles : {', '.join(SCENARIOS)}."
            )
        parametres = Parametres(fichier=fichier)
        for nom in scenarios or SCENARIOS:
            mesures = Mesures(nom, self.stdout.write, lambda message: self.stderr.write(self.style.WARNING(message)))
            try:
                SCENARIOS[nom](mesures, parametres)
            except MesureImpossible as erreur:
                raise CommandError(str(erreur)) from None
