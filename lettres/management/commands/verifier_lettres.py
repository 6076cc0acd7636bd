from django.core.management.base import BaseCommand, CommandError

from lettres.document import empreinte_fichier
from lettres.models import LettreMission
from lettres.sceau import SceauIndisponible, sceau_configure, verifier_sceau
from lettres.verification import STATUTS_PUBLICS
from rupn.territoires.models import Academie

FICHIER_ABSENT = "fichier absent"
EMPREINTE_DIFFERENTE = "empreinte différente"
SCEAU_INVALIDE = "sceau invalide"


def _s(nombre):
    return "s" if nombre > 1 else ""


class Command(BaseCommand):
    help = (
        "Relit chaque PDF scellé stocké (lettres scellées, annulées ou remplacées) et contrôle son empreinte "
        "SHA-256 et son sceau PAdES. Affiche le nombre de lettres intactes et altérées, et liste les altérées. "
        "Code de sortie 1 s'il y a au moins une lettre altérée. À lancer chaque nuit, par exemple depuis cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--academie", metavar="CODE", help="Code de l'académie (par exemple 16) : elle seule")

    def handle(self, *args, academie=None, **options):
        publiques = LettreMission.objects.filter(statut__in=STATUTS_PUBLICS)
        if academie:
            if not Academie.objects.filter(code=academie).exists():
                raise CommandError(f"Aucune académie n'a le code « {academie} ».")
            publiques = publiques.filter(etablissement__academie__code=academie)
        # Scellées sans PDF : les lettres synthétiques de `generer_donnees` (rien à relire, mais on le dit).
        sans_pdf = publiques.filter(pdf="", scellee_le__isnull=False).count()
        lettres = (
            publiques.exclude(pdf="")
            .select_related("etablissement", "annee")
            .only("pk", "pdf", "empreinte_pdf", "code_verification", "etablissement__nom", "annee__code")
            .order_by("pk")
        )
        # Réglages vides : on contrôle les empreintes seulement, et on le dit. Réglages remplis mais certificat
        # illisible : erreur (la commande de nuit ne doit pas cesser en silence de contrôler les sceaux).
        self.sceau_disponible = sceau_configure()
        intactes, alterees = 0, []
        for lettre in lettres.iterator(chunk_size=200):
            motifs = self.controler(lettre)
            if motifs:
                alterees.append((lettre.etablissement.nom, lettre.annee.code, lettre.code_verification, motifs))
            else:
                intactes += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(
                        f"intacte : {lettre.etablissement.nom}, {lettre.annee.code}, {lettre.code_verification}"
                    )

        total = intactes + len(alterees)
        self.stdout.write(
            f"{total} lettre{_s(total)} scellée{_s(total)} contrôlée{_s(total)} : "
            f"{intactes} intacte{_s(intactes)}, {len(alterees)} altérée{_s(len(alterees))}."
        )
        if sans_pdf:
            self.stdout.write(
                f"{sans_pdf} lettre{_s(sans_pdf)} scellée{_s(sans_pdf)} sans PDF stocké, non contrôlée{_s(sans_pdf)} "
                "(les données synthétiques de « generer_donnees » n'ont pas de PDF)."
            )
        if not self.sceau_disponible:
            self.stderr.write(
                self.style.WARNING(
                    "Le sceau n'est pas configuré (RUPN_SCEAU_PKCS12) : seules les empreintes ont été contrôlées."
                )
            )
        if alterees:
            self.stdout.write("Lettres altérées :")
            for nom, annee, code, motifs in alterees:
                self.stdout.write(self.style.ERROR(f"- {nom}, {annee}, code {code} : {' ; '.join(motifs)}"))
            raise CommandError(
                f"{len(alterees)} lettre{_s(len(alterees))} altérée{_s(len(alterees))} (liste ci-dessus).", returncode=1
            )

    def controler(self, lettre):
        """Les motifs d'altération du PDF stocké de la lettre ; une liste vide s'il est intact. Un seul
        fichier en mémoire à la fois."""
        try:
            with lettre.pdf.storage.open(lettre.pdf.name, "rb") as fichier:
                octets = fichier.read()
        except OSError:
            return [FICHIER_ABSENT]
        motifs = []
        if empreinte_fichier(octets) != lettre.empreinte_pdf:
            motifs.append(EMPREINTE_DIFFERENTE)
        if self.sceau_disponible:
            try:
                resultat = verifier_sceau(octets)
            except SceauIndisponible as erreur:
                raise CommandError(f"Le sceau est configuré mais inutilisable : {erreur}") from None
            if not resultat.valide:
                motifs.append(f"{SCEAU_INVALIDE} ({resultat.motif_refus})")
        return motifs
