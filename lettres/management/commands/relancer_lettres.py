"""Rappel, par courriel, des lettres de mission qui attendent quelqu'un depuis au moins N jours.

Qui doit agir : en relecture, les RUPN qui n'ont pas approuvé la révision courante ; à signer, les RUPN qui n'ont
pas signé, ou la direction quand tous ont signé ; en brouillon, la direction. Une personne reçoit un seul courriel
qui cite toutes ses lettres à rappeler. Chaque lettre est rappelée au plus une fois tous les N jours
(`relancee_le`) : relancer deux fois de suite n'envoie rien la seconde. Une lettre scellée, annulée ou remplacée
n'attend plus personne ; une lettre d'une année scolaire terminée n'est plus rappelée.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from lettres.models import LettreMission
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.courriels import envoyer_apres_validation, url_du_site

GABARIT = "lettres/email/relance.txt"
Statut = LettreMission.Statut

# Ce que la lettre attend de la personne, tel que le courriel le dit.
A_TERMINER = "brouillon à terminer, puis à envoyer en relecture à ses RUPN"
A_APPROUVER = "à relire, puis à approuver ou à commenter"
A_SIGNER_RUPN = "à signer pour accord"
A_SIGNER_DIRECTION = "à signer par la direction : chaque RUPN a signé, votre signature scelle la lettre"


@dataclass(frozen=True)
class Attente:
    lettre: LettreMission
    action: str
    depuis: datetime.datetime
    lien: str


@dataclass
class Bilan:
    rappels: dict = field(default_factory=dict)  # personne → [Attente], dans l'ordre des lettres
    relancees: list = field(default_factory=list)  # les lettres rappelées à au moins une personne
    sans_destinataire: list = field(default_factory=list)  # celles qui attendent une personne inconnue ou inactive


def lettres_a_relancer(*, limite, jour):
    """Les lettres en cours, modifiées pour la dernière fois et rappelées pour la dernière fois avant `limite`,
    d'une année scolaire pas encore terminée, avec ce qu'il faut pour savoir qui attendre (sans requête par lettre)."""
    return (
        LettreMission.objects.filter(
            statut__in=LettreMission.STATUTS_MODIFIABLES, modifiee_le__lte=limite, annee__fin__gte=jour
        )
        .filter(Q(relancee_le__isnull=True) | Q(relancee_le__lte=limite))
        .select_related("etablissement", "annee")
        .defer("contenu")
        .prefetch_related(
            Prefetch(
                "designations",
                queryset=Designation.objects.select_related("agent").order_by("agent__last_name", "agent__first_name"),
            ),
            "approbations",
            "signatures",
        )
        .order_by("etablissement__nom", "etablissement__uai", "pk")
    )


def _directions(lettres, jour):
    """Chef et adjoints en fonction de chaque établissement des lettres, en une requête."""
    directions = {}
    for role in (
        Role.objects.valides(jour)
        .filter(etablissement__in={lettre.etablissement_id for lettre in lettres}, type__in=Role.TYPES_DIRECTION)
        .select_related("utilisateur")
        .order_by("utilisateur__last_name", "utilisateur__first_name", "pk")
    ):
        directions.setdefault(role.etablissement_id, {})[role.utilisateur_id] = role.utilisateur
    return {etablissement: list(personnes.values()) for etablissement, personnes in directions.items()}


def _attendus(lettre, directions):
    """(personnes qui doivent agir, action, attendue depuis)."""
    if lettre.statut == Statut.BROUILLON:
        return directions.get(lettre.etablissement_id, []), A_TERMINER, lettre.modifiee_le
    if lettre.statut == Statut.RELECTURE:
        approuve = {approbation.rupn_id for approbation in lettre.approbations_courantes()}
        return [p for p in lettre.rupn() if p.pk not in approuve], A_APPROUVER, lettre.modifiee_le
    if rupn := lettre.rupn_sans_signature():
        return rupn, A_SIGNER_RUPN, lettre.modifiee_le
    # Le tour de la direction commence à la dernière signature d'un RUPN.
    depuis = max([lettre.modifiee_le, *(signature.horodatage for signature in lettre.signatures_valides())])
    return directions.get(lettre.etablissement_id, []), A_SIGNER_DIRECTION, depuis


def preparer_rappels(*, jours, maintenant, verrouiller=False):
    """Le `Bilan` des rappels à envoyer maintenant, sans rien envoyer ni écrire. `verrouiller` : les lettres lues
    sont verrouillées jusqu'à la fin de la transaction (deux relances simultanées n'envoient pas deux rappels)."""
    limite = maintenant - datetime.timedelta(days=jours)
    jour = timezone.localdate(maintenant)
    lettres = lettres_a_relancer(limite=limite, jour=jour)
    if verrouiller:
        lettres = lettres.select_for_update(of=("self",))
    lettres = list(lettres)
    directions = _directions(lettres, jour)
    bilan = Bilan()
    for lettre in lettres:
        personnes, action, depuis = _attendus(lettre, directions)
        if depuis > limite:
            continue
        personnes = [personne for personne in personnes if personne.is_active and personne.email]
        if not personnes:
            bilan.sans_destinataire.append(lettre)
            continue
        attente = Attente(lettre, action, depuis, url_du_site(lettre.get_absolute_url()))
        for personne in personnes:
            bilan.rappels.setdefault(personne, []).append(attente)
        bilan.relancees.append(lettre)
    return bilan


def sujet(attentes):
    if len(attentes) > 1:
        return f"Rappel : {len(attentes)} lettres de mission attendent votre action"
    return "Rappel : une lettre de mission attend votre action"


@transaction.atomic
def relancer_lettres(*, jours=None, maintenant=None, simulation=False):
    """Envoie les rappels (après validation de la transaction) et note `relancee_le` ; rend le `Bilan`.
    En simulation, rien n'est envoyé ni écrit."""
    jours = jours if jours is not None else settings.RUPN_RELANCE_JOURS
    maintenant = maintenant or timezone.now()
    bilan = preparer_rappels(jours=jours, maintenant=maintenant, verrouiller=not simulation)
    if simulation:
        return bilan
    for personne, attentes in bilan.rappels.items():
        envoyer_apres_validation(
            sujet=sujet(attentes),
            gabarit=GABARIT,
            contexte={"personne": personne, "attentes": attentes, "jours": jours},
            destinataires=[personne.email],
        )
    # `update` ne touche pas `modifiee_le` (auto_now) : le rappel ne compte pas comme une modification.
    LettreMission.objects.filter(pk__in=[lettre.pk for lettre in bilan.relancees]).update(relancee_le=maintenant)
    return bilan


def _pluriel(nombre, mot):
    return f"{nombre} {mot}{'s' if nombre > 1 else ''}"


class Command(BaseCommand):
    help = (
        "Rappelle par courriel à qui doit agir les lettres de mission qui attendent depuis au moins "
        "RUPN_RELANCE_JOURS jours (brouillon, relecture, signature), au plus une fois par lettre sur ce délai, "
        "un seul courriel par personne. À lancer chaque jour, par exemple depuis cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jours",
            type=int,
            default=None,
            help="Délai en jours depuis la dernière modification et entre deux rappels (par défaut RUPN_RELANCE_JOURS)",
        )
        parser.add_argument(
            "--simulation",
            action="store_true",
            help="Affiche les rappels qui partiraient sans rien envoyer ni enregistrer",
        )

    def handle(self, *args, jours, simulation, verbosity, **options):
        if jours is not None and jours < 1:
            raise CommandError("--jours attend un nombre de jours supérieur ou égal à 1.")
        bilan = relancer_lettres(jours=jours, simulation=simulation)
        if simulation or verbosity > 1:
            for personne, attentes in bilan.rappels.items():
                self.stdout.write(f"{personne.email} ({personne}) : {_pluriel(len(attentes), 'lettre')}")
                for attente in attentes:
                    lettre = attente.lettre
                    self.stdout.write(
                        f"  - {lettre.etablissement.nom} ({lettre.etablissement.uai}), {lettre.annee} : "
                        f"{attente.action}, depuis le {timezone.localtime(attente.depuis):%d/%m/%Y}"
                    )
        personnes, lettres = len(bilan.rappels), len(bilan.relancees)
        prefixe = "Simulation (aucun courriel envoyé, rien d'enregistré) — " if simulation else ""
        verbe = "à relancer" if simulation else ("relancée" + ("s" if personnes > 1 else ""))
        self.stdout.write(f"{prefixe}{_pluriel(personnes, 'personne')} {verbe}, pour {_pluriel(lettres, 'lettre')}")
        if bilan.sans_destinataire:
            self.stdout.write(
                self.style.WARNING(
                    f"{_pluriel(len(bilan.sans_destinataire), 'lettre')} sans personne à qui écrire (direction "
                    "inconnue ou comptes désactivés) : "
                    + ", ".join(f"{lettre.etablissement.uai} {lettre.annee}" for lettre in bilan.sans_destinataire)
                )
            )
