from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from missions.models import Designation
from missions.resources import CONTENUS_EXPORT, TITRES_EXPORT, exporter
from rupn.exports import contenu_fichier, csv_a_la_francaise
from rupn.territoires.commandes import academie_par_code
from rupn.territoires.models import AnneeScolaire


class Command(BaseCommand):
    help = (
        "Exporte les désignations d'une académie pour une année scolaire (une ligne par désignation), "
        "ou l'échéancier de paiement de leurs IMP (une ligne par versement), en CSV ou en XLSX."
    )

    def add_arguments(self, parser):
        parser.add_argument("--academie", required=True, help="Code de l'académie (par exemple 16 pour Toulouse)")
        parser.add_argument("--annee", required=True, help="Année scolaire, par exemple 2025-2026")
        parser.add_argument("--format", required=True, choices=["csv", "xlsx"], help="Format du fichier")
        parser.add_argument(
            "--contenu",
            choices=CONTENUS_EXPORT,
            default="designations",
            help="Ce qu'on exporte (désignations par défaut)",
        )
        parser.add_argument("--sortie", help="Fichier à écrire ; sans lui, le CSV s'écrit sur la sortie standard")

    def handle(self, *args, academie, annee, format, contenu, sortie, **options):
        if format == "xlsx" and sortie is None:
            raise CommandError(
                "Un classeur XLSX ne s'écrit pas sur la sortie standard : indiquez le fichier avec --sortie."
            )
        academie = academie_par_code(academie)
        try:
            annee = AnneeScolaire.objects.get(code=annee)
        except AnneeScolaire.DoesNotExist:
            connues = ", ".join(AnneeScolaire.objects.order_by("-debut").values_list("code", flat=True))
            raise CommandError(
                f"Année scolaire inconnue : « {annee} ». Années connues : {connues or 'aucune'}."
            ) from None
        donnees = exporter(Designation.objects.filter(etablissement__academie=academie).pour_annee(annee), contenu)
        if sortie is None:
            self.stdout.write(csv_a_la_francaise(donnees), ending="")
            return
        try:
            Path(sortie).write_bytes(contenu_fichier(donnees, format, TITRES_EXPORT[contenu]))
        except OSError as erreur:
            raise CommandError(f"Impossible d'écrire {sortie} : {erreur.strerror}.") from None
        self.stdout.write(f"{len(donnees)} ligne(s) exportée(s) dans {sortie}.")
