from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rupn.territoires.annuaire import AnnuaireInvalide, importer_annuaire
from rupn.territoires.commandes import academie_par_code
from rupn.territoires.imports import depot_en_ligne_de_commande


class Command(BaseCommand):
    help = (
        "Importe les collèges, lycées et EREA d'une académie depuis un export CSV de l'Annuaire "
        "de l'éducation. Termine par une ligne de bilan."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Export CSV du jeu fr-en-annuaire-education")
        parser.add_argument("--academie", required=True, help="Code de l'académie (par exemple 16 pour Toulouse)")
        parser.add_argument("--dry-run", action="store_true", help="Analyse le fichier sans rien enregistrer")
        parser.add_argument(
            "--confirmer-fermetures",
            action="store_true",
            help="Accepte de fermer plus de 10 %% des établissements ouverts (absents du fichier)",
        )

    def handle(self, *args, fichier, academie, dry_run, confirmer_fermetures, verbosity, **options):
        self.verbosity = verbosity
        academie = academie_par_code(academie)
        if not fichier.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        contenu = fichier.read_bytes()
        try:
            bilan = importer_annuaire(
                contenu,
                academie,
                simulation=dry_run,
                depot=depot_en_ligne_de_commande(academie, fichier, contenu),
                progression=self._progression,
                fermetures_confirmees=confirmer_fermetures,
            )
        except AnnuaireInvalide as erreur:
            raise CommandError(f"Import impossible, rien n'a été modifié : {erreur}") from erreur
        for rejet in bilan.rejetes:
            self.stderr.write(f"ligne {rejet['ligne']} rejetée ({rejet['uai']}) : {' ; '.join(rejet['raisons'])}")
        prefixe = "Simulation (rien n'est enregistré) — " if dry_run else ""
        self.stdout.write(
            f"{prefixe}créés : {len(bilan.crees)}, mis à jour : {len(bilan.mis_a_jour)}, "
            f"inchangés : {bilan.inchanges}, fermés : {len(bilan.fermes)}, rejetés : {len(bilan.rejetes)}, "
            f"hors périmètre : {sum(bilan.hors_perimetre.values())}"
        )

    def _progression(self, message, pourcentage):
        # Sur la sortie d'erreur : la sortie standard ne garde que la ligne de bilan.
        if self.verbosity >= 1:
            self.stderr.write(f"{pourcentage:3d} % — {message}")
