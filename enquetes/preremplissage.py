"""Ce que le service sait déjà d'une participation, pour préremplir l'enquête (champ `Question.prerempli`).

Une question préremplie reçoit, tant que le RUPN n'y a pas répondu, une valeur proposée et modifiable,
présentée avec sa source (« d'après votre journal d'activités : 12 »). Les clés :

- `journal_accompagnement`, `journal_formation`, `journal_commission`, `journal_administration` (catégorie
  « Administration de l'ENT et des services »), `journal_equipement` (« Équipements et signalements »),
  `journal_projet`, `journal_veille`, `journal_autre` : le nombre d'entrées du journal d'activités de la
  désignation dans cette catégorie ;
- `journal_personnes` : le nombre de personnes touchées, toutes catégories confondues (aucune proposition
  tirée d'un journal vide : zéro y serait une réponse donnée à la place du RUPN) ;
- `lettre_signee` : oui si une lettre de mission signée et scellée porte la désignation.

Le journal est lu par `missions.journal.resume_du_journal(designation)`, qui rend
{catégorie: (nombre d'entrées, personnes touchées, heures)} : une requête, et seulement si une question
posée en a besoin.
"""

from dataclasses import dataclass

from lettres.models import LettreMission
from missions.journal import resume_du_journal
from missions.models import Activite

SOURCE_JOURNAL = "d'après votre journal d'activités"
SOURCE_LETTRE = "d'après vos lettres de mission"

Categorie = Activite.Categorie

# Clé de préremplissage → catégorie du journal dont on compte les entrées.
CATEGORIES_JOURNAL = {
    "journal_accompagnement": Categorie.ACCOMPAGNEMENT,
    "journal_formation": Categorie.FORMATION,
    "journal_commission": Categorie.COMMISSION,
    "journal_administration": Categorie.ENT,
    "journal_equipement": Categorie.EQUIPEMENTS,
    "journal_projet": Categorie.PROJET,
    "journal_veille": Categorie.VEILLE,
    "journal_autre": Categorie.AUTRE,
}


@dataclass(frozen=True)
class Proposition:
    """Une valeur proposée pour une question, et d'où elle vient."""

    valeur: object
    source: str


def _valeurs_connues(designation, cles):
    """La valeur de chaque clé demandée que l'on connaît ; les sources ne sont lues que si une clé les demande."""
    connues = {}
    if any(cle.startswith("journal_") for cle in cles):
        resume = resume_du_journal(designation)
        if not any(ligne[0] for ligne in resume.values()):
            # Un journal vide ne dit rien : proposer zéro partout serait une réponse à la place du RUPN.
            return connues | _valeurs_de_la_lettre(designation, cles)
        for cle, categorie in CATEGORIES_JOURNAL.items():
            connues[cle] = Proposition(resume.get(categorie, (0, 0, 0))[0], SOURCE_JOURNAL)
        connues["journal_personnes"] = Proposition(sum(ligne[1] for ligne in resume.values()), SOURCE_JOURNAL)
    return connues | _valeurs_de_la_lettre(designation, cles)


def _valeurs_de_la_lettre(designation, cles):
    connues = {}
    if "lettre_signee" in cles:
        scellee = (
            LettreMission.objects.en_effet()
            .filter(designations=designation, statut=LettreMission.Statut.SCELLEE)
            .exists()
        )
        connues["lettre_signee"] = Proposition(scellee, SOURCE_LETTRE)
    return connues


def propositions(participation, questions, deja_repondues):
    """{question.pk: Proposition} pour les questions préremplies auxquelles le RUPN n'a pas encore répondu
    (`deja_repondues` : les pk des questions qui ont une réponse enregistrée, même vide)."""
    a_proposer = [q for q in questions if q.prerempli and q.pk not in deja_repondues]
    if not a_proposer:
        return {}
    connues = _valeurs_connues(participation.designation, {q.prerempli for q in a_proposer})
    return {q.pk: connues[q.prerempli] for q in a_proposer if q.prerempli in connues}
