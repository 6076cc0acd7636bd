"""Écritures de l'enquête : création (depuis l'enquête par défaut ou celle de l'an dernier) et
participations des RUPN. Les pages de construction, de campagne, de saisie et d'analyse ajoutent leurs
services dans leurs propres modules (construction.py, saisie.py, analyse.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from enquetes import enquete_par_defaut
from enquetes.models import Enquete, Participation, Question, Section
from missions.models import Designation

# Les désignations dont le RUPN répond à l'enquête : acceptées, validées, ou terminées en cours d'année.
# Une participation dont la désignation est ensuite annulée (ou refusée) reste en base, lisible si elle
# était envoyée, mais elle n'est plus due : ni modifiable, ni relancée, ni comptée comme attendue.
STATUTS_PARTICIPANTS = [Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE, Designation.Statut.TERMINEE]


def est_due(participation):
    """La désignation de la participation appelle encore une réponse (voir STATUTS_PARTICIPANTS)."""
    return participation.designation.statut in STATUTS_PARTICIPANTS


def dues(participations):
    """Les participations dont la désignation appelle encore une réponse."""
    return participations.filter(designation__statut__in=STATUTS_PARTICIPANTS)


def _creer_questions(enquete, sections):
    """`sections` : [(titre, description, [dictionnaires de question])], dans l'ordre."""
    for rang_section, (titre, description, questions) in enumerate(sections, start=1):
        section = Section.objects.create(enquete=enquete, titre=titre, description=description, ordre=rang_section)
        nouvelles = [
            Question(enquete=enquete, section=section, ordre=rang, **question)
            for rang, question in enumerate(questions, start=1)
        ]
        for question in nouvelles:
            question.full_clean(exclude=["enquete", "section"])
        Question.objects.bulk_create(nouvelles)


def _sections_par_defaut():
    return [(s["titre"], s["description"], s["questions"]) for s in enquete_par_defaut.SECTIONS]


def _sections_de(enquete):
    """Les sections et questions posées (non masquées) d'une enquête, pour la copier : codes gardés."""
    champs = ("code", "libelle", "aide", "type", "options", "obligatoire", "prerempli")
    return [
        (
            section.titre,
            section.description,
            [
                {champ: getattr(question, champ) for champ in champs}
                for question in section.questions.all()
                if not question.masquee
            ],
        )
        for section in enquete.sections.prefetch_related("questions")
    ]


@transaction.atomic
def enquete_creer(*, academie, annee, depuis=None):
    """Crée l'enquête de l'académie pour l'année : copie de `depuis` (une enquête de l'académie, en général
    celle de l'an dernier : mêmes codes, sans les questions masquées) ou, à défaut, l'enquête par défaut."""
    if Enquete.objects.filter(academie=academie, annee=annee).exists():
        raise ValidationError(f"L'académie a déjà son enquête {annee} : modifiez-la plutôt que d'en créer une autre.")
    if depuis is not None and depuis.academie_id != academie.pk:
        raise ValidationError("On ne copie que l'enquête d'une année précédente de la même académie.")
    enquete = Enquete(
        academie=academie,
        annee=annee,
        titre=depuis.titre if depuis else enquete_par_defaut.TITRE,
        introduction=depuis.introduction if depuis else enquete_par_defaut.INTRODUCTION,
        copie_de=depuis,
    )
    enquete.full_clean()
    enquete.save()
    _creer_questions(enquete, _sections_de(depuis) if depuis else _sections_par_defaut())
    return enquete


def designations_participantes(enquete):
    return Designation.objects.filter(
        etablissement__academie=enquete.academie, annee=enquete.annee, statut__in=STATUTS_PARTICIPANTS
    )


@transaction.atomic
def participations_creer(enquete, designations=None):
    """Une participation par désignation acceptée de l'année qui n'en a pas encore (les désignations
    acceptées après le lancement s'ajoutent ainsi), parmi `designations` si on le précise ; rend les
    participations créées. Deux appels simultanés ne se gênent pas : la seconde création d'une même
    participation est ignorée (désignation unique), et chacun rend alors la participation existante."""
    candidates = designations_participantes(enquete).filter(participation__isnull=True)
    if designations is not None:
        candidates = candidates.filter(pk__in=[getattr(designation, "pk", designation) for designation in designations])
    cles = list(candidates.values_list("pk", flat=True))
    if not cles:
        return []
    Participation.objects.bulk_create(
        [Participation(enquete=enquete, designation_id=cle) for cle in cles], ignore_conflicts=True
    )
    return list(Participation.objects.filter(enquete=enquete, designation_id__in=cles).order_by("pk"))


def rupn_joignable(designation):
    """Un courriel peut partir au RUPN de la désignation : compte actif et adresse connue."""
    agent = designation.agent
    return agent.is_active and bool(agent.email)
