"""Suivi quotidien des campagnes de l'enquête de fin d'année (enquetes.construction.campagnes_relancer).

Pour chaque campagne lancée et pas close : crée les participations des désignations acceptées depuis le
lancement et les invite ; une fois la saisie ouverte, relance les RUPN qui n'ont pas envoyé leurs réponses,
au plus une fois tous les N jours (`relancee_le`). Relancer deux fois de suite n'envoie rien la seconde ;
une campagne close n'est plus suivie (la DANE rouvre une participation au besoin).
"""

from django.core.management.base import BaseCommand, CommandError

from enquetes.construction import campagnes_relancer
from rupn.courriels import url_du_site
from rupn.territoires.models import Academie


def _nombre(nombre, singulier, pluriel):
    return f"{nombre} {pluriel if nombre > 1 else singulier}"


class Command(BaseCommand):
    help = (
        "Enquête de fin d'année : crée les participations manquantes des campagnes lancées et pas closes, invite "
        "les RUPN qui ne l'ont pas été et relance les non-répondants au plus une fois tous les RUPN_RELANCE_JOURS "
        "jours. À lancer chaque jour, par exemple depuis cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jours",
            type=int,
            default=None,
            help="Délai en jours depuis l'invitation et entre deux relances (par défaut RUPN_RELANCE_JOURS)",
        )
        parser.add_argument(
            "--simulation",
            action="store_true",
            help="Compte ce qui partirait sans rien envoyer ni enregistrer",
        )
        parser.add_argument("--academie", metavar="CODE", help="Seulement l'académie de ce code (par exemple 16)")

    def handle(self, *args, jours, simulation, academie, **options):
        if jours is not None and jours < 1:
            raise CommandError("--jours attend un nombre de jours supérieur ou égal à 1.")
        choisie = None
        if academie:
            choisie = Academie.objects.filter(code=academie).first()
            if choisie is None:
                raise CommandError(f"Académie inconnue : « {academie} » (code à deux caractères, par exemple 16).")
        bilans = campagnes_relancer(url_absolue=url_du_site, jours=jours, academie=choisie, simulation=simulation)
        prefixe = "Simulation (aucun courriel envoyé, rien d'enregistré) — " if simulation else ""
        if not bilans:
            self.stdout.write(f"{prefixe}Aucune campagne lancée et ouverte : rien à faire.")
            return
        totaux = {"creees": 0, "invitees": 0, "relancees": 0, "sans_adresse": 0}
        for bilan in bilans:
            envois = bilan.envois
            for cle in totaux:
                totaux[cle] += len(getattr(envois, cle))
            self.stdout.write(
                f"{bilan.enquete.academie}, {bilan.enquete.annee} : "
                f"{_nombre(len(envois.creees), 'participation créée', 'participations créées')}, "
                f"{_nombre(len(envois.invitees), 'invitation', 'invitations')}, "
                f"{_nombre(len(envois.relancees), 'relance', 'relances')}"
            )
        self.stdout.write(
            f"{prefixe}{_nombre(len(bilans), 'campagne', 'campagnes')} : "
            f"{_nombre(totaux['creees'], 'participation créée', 'participations créées')}, "
            f"{_nombre(totaux['invitees'], 'invitation envoyée', 'invitations envoyées')}, "
            f"{_nombre(totaux['relancees'], 'relance envoyée', 'relances envoyées')}"
        )
        if totaux["sans_adresse"]:
            self.stdout.write(
                self.style.WARNING(
                    f"{_nombre(totaux['sans_adresse'], 'participation', 'participations')} sans adresse ou au "
                    "compte désactivé : aucun courriel."
                )
            )
