"""Génère des données synthétiques à l'échelle nationale (établissements, bassins, personnes)."""

import time

from django.core.management.base import BaseCommand, CommandError

from rupn.pilotage.generation import Contexte, generer


class Command(BaseCommand):
    help = (
        "Génère des données synthétiques déterministes pour les mesures de performances. "
        "Les données d'une génération précédente sont d'abord effacées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--graine", type=int, default=1, help="graine du générateur aléatoire (défaut : 1)")
        parser.add_argument(
            "--annees", type=int, default=5, help="nombre de rentrées, jusqu'à la courante (défaut : 5)"
        )
        parser.add_argument(
            "--echelle",
            type=float,
            default=1.0,
            help="1.0 : environ 11 400 établissements, comme en France (défaut : 1.0)",
        )

    def handle(self, *args, graine, annees, echelle, **options):
        if echelle <= 0:
            raise CommandError("L'échelle doit être strictement positive.")
        if annees < 1:
            raise CommandError("Il faut au moins une année scolaire.")
        debut = time.perf_counter()
        contexte = Contexte(graine=graine, echelle=echelle, annees=annees, progression=self.stdout.write)
        try:
            comptes = generer(contexte)
        except ValueError as erreur:
            raise CommandError(str(erreur)) from erreur
        resume = ", ".join(f"{nombre} {libelle}" for libelle, nombre in comptes.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Données synthétiques (graine {graine}, échelle {echelle:g}) : {resume} "
                f"en {time.perf_counter() - debut:.1f} s."
            )
        )
