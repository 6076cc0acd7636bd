"""Saisie de l'enquête par le RUPN et compte-rendu à la direction.

Lectures : `Saisie` (les étapes, les réponses, la reprise, les questions obligatoires sans réponse),
`donnees_compte_rendu` (ce que la page et le PDF présentent, en données JSON : lu en direct avant l'envoi,
figé dans `Participation.compte_rendu` à l'envoi) et `compte_rendu` (l'un ou l'autre). Écritures, une
transaction chacune, sous verrou de la participation : `etape_enregistrer` (une étape, ou une partie
d'étape pour l'enregistrement automatique), `participation_envoyer` (une seule fois : courriel à la
direction ; fige le compte-rendu), et
`participation_prendre_connaissance` (la direction, une seule fois : courriel au RUPN).

Une réponse enregistrée vide (None) reste une réponse : le RUPN a effacé la valeur proposée, elle ne
revient pas. « Pas encore répondu » : aucune ligne `Reponse`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format

from enquetes import preremplissage
from enquetes.models import Participation, Question, Reponse, est_vide
from enquetes.services import est_due, rupn_joignable
from lettres.models import LettreMission
from lettres.pdf import rendre_pdf
from missions.journal import resume_du_journal
from missions.models import heures as texte_heures
from rupn.comptes.models import Role
from rupn.courriels import envoyer_apres_validation, url_du_site

LONGUEUR_COMMENTAIRE = 2000


class DejaEnvoyee(Exception):
    """Le compte-rendu était déjà envoyé (double clic, second onglet) : rien n'est refait."""


class DejaLue(Exception):
    """La direction avait déjà pris connaissance du compte-rendu : rien n'est refait."""


# --- Lectures ---------------------------------------------------------------------------------------


@dataclass
class Etape:
    rang: int
    section: object
    questions: list


@dataclass
class Saisie:
    """Les étapes de l'enquête d'une participation (sections qui posent au moins une question) et ses
    réponses : trois requêtes (sections, questions, réponses)."""

    participation: Participation
    etapes: list
    reponses: dict = field(default_factory=dict)  # question.pk → valeur enregistrée

    @classmethod
    def de(cls, participation):
        questions = Question.objects.filter(masquee=False).order_by("ordre", "pk")
        sections = participation.enquete.sections.prefetch_related(Prefetch("questions", queryset=questions))
        etapes = []
        for section in sections:
            if section.questions.all():
                etapes.append(Etape(rang=len(etapes) + 1, section=section, questions=list(section.questions.all())))
        reponses = dict(participation.reponses.values_list("question_id", "valeur"))
        return cls(participation=participation, etapes=etapes, reponses=reponses)

    @property
    def nombre(self):
        return len(self.etapes)

    def etape(self, rang):
        if 1 <= rang <= len(self.etapes):
            return self.etapes[rang - 1]
        return None

    def manquantes(self, etape):
        """Les questions obligatoires de l'étape sans réponse."""
        return [q for q in etape.questions if q.obligatoire and est_vide(self.reponses.get(q.pk))]

    def complete(self, etape):
        """Chaque question a été enregistrée au moins une fois, et chaque obligatoire a une réponse."""
        return all(q.pk in self.reponses for q in etape.questions) and not self.manquantes(etape)

    def reprise(self):
        """Le rang de la première étape incomplète ; None si toutes sont complètes (récapitulatif)."""
        return next((etape.rang for etape in self.etapes if not self.complete(etape)), None)

    def obligatoires_manquantes(self):
        """[(étape, question)] des questions obligatoires sans réponse, dans l'ordre de l'enquête."""
        return [(etape, question) for etape in self.etapes for question in self.manquantes(etape)]

    def propositions(self, questions):
        """{question.pk: Proposition} pour les questions préremplies pas encore répondues."""
        return preremplissage.propositions(self.participation, questions, set(self.reponses))

    def sections_lues(self):
        """[(étape, [{question, texte, manquante}])] pour le récapitulatif et le compte-rendu."""
        return [(etape, [self._lue(question) for question in etape.questions]) for etape in self.etapes]

    def _lue(self, question):
        valeur = self.reponses.get(question.pk)
        return {
            "question": question,
            "texte": texte_reponse(question, valeur),
            "manquante": question.obligatoire and est_vide(valeur),
        }


def texte_reponse(question, valeur):
    """La réponse comme on la lit : « Oui », « 4 sur 5 », « 2,5 », les choix séparés par des virgules."""
    if est_vide(valeur):
        return ""
    if question.type == Question.Type.OUI_NON:
        return "Oui" if valeur else "Non"
    if question.type == Question.Type.ECHELLE:
        return f"{valeur} sur 5"
    if question.type == Question.Type.NOMBRE:
        return number_format(valeur, use_l10n=True)
    if isinstance(valeur, list):
        return ", ".join(str(choix) for choix in valeur)
    return str(valeur)


def participations_de(user):
    """Les participations de la personne (RUPN), de toutes les années, avec ce que la liste affiche."""
    return (
        Participation.objects.visible_to(user)
        .select_related("enquete__annee", "enquete__academie", "designation__etablissement")
        .order_by("-enquete__annee__debut", "designation__etablissement__nom")
    )


def pour_lecture(participations):
    """Ce que les pages d'une participation lisent, en une requête."""
    return participations.select_related(
        "enquete__academie",
        "enquete__annee",
        "designation__agent",
        "designation__etablissement__academie",
        "designation__annee",
        "lue_par",
    )


def pourquoi_non_modifiable(participation, jour=None):
    """La phrase qui dit au RUPN pourquoi il ne peut pas (ou plus) écrire ; "" s'il le peut."""
    jour = jour or timezone.localdate()
    enquete = participation.enquete
    if participation.statut == Participation.Statut.SOUMISE:
        envoi = timezone.localtime(participation.soumise_le)
        return f"Votre compte-rendu est envoyé depuis le {date_format(envoi, 'j F Y à H:i')} : il ne se modifie plus."
    designation = participation.designation
    if not est_due(participation):
        return (
            f"Votre désignation à {designation.etablissement.nom} est "
            f"{designation.get_statut_display().lower()} : l'enquête ne vous y est plus demandée."
        )
    if participation.modifiable(jour):
        return ""
    if not enquete.lancee:
        return "La DANE n'a pas encore lancé l'enquête : vous recevrez un courriel à son lancement."
    if enquete.ouverture and jour < enquete.ouverture:
        return f"L'enquête ouvre le {date_format(enquete.ouverture, 'j F Y')}."
    return (
        f"L'enquête est close : son dernier jour était le {date_format(enquete.cloture, 'j F Y')}. Si vous devez "
        "encore la compléter, demandez à la DANE de rouvrir votre participation."
    )


def resume_journal(designation):
    """Le résumé du journal pour le compte-rendu : les catégories qui ont des entrées, et le total."""
    resume = resume_du_journal(designation)
    lignes = [
        {"categorie": str(categorie.label), "nombre": nombre, "personnes": personnes, "heures": texte_heures(heures)}
        for categorie, (nombre, personnes, heures) in resume.items()
        if nombre
    ]
    total = {
        "nombre": sum(ligne["nombre"] for ligne in lignes),
        "personnes": sum(ligne["personnes"] for ligne in lignes),
        "heures": texte_heures(sum((bilan[2] for bilan in resume.values()), start=Decimal(0))),
    }
    return {"lignes": lignes, "total": total}


def lettre_de(designation):
    """La lettre de mission en effet qui porte la désignation (la scellée d'abord), ou None."""
    lettres = list(
        LettreMission.objects.en_effet().filter(designations=designation).select_related("annee").order_by("-cree_le")
    )
    scellees = [lettre for lettre in lettres if lettre.statut == LettreMission.Statut.SCELLEE]
    return (scellees or lettres or [None])[0]


def donnees_compte_rendu(participation, saisie=None):
    """Ce que la page et le PDF du compte-rendu présentent, en données JSON : les questions posées par section
    (libellé et réponse lisible), le résumé du journal, la lettre de mission de la désignation et ses
    indicateurs, la date. Lu en direct ; `participation_envoyer` en fige le résultat."""
    saisie = saisie or Saisie.de(participation)
    lettre = lettre_de(participation.designation)
    return {
        "etabli_le": timezone.now().isoformat(),
        "sections": [
            {
                "rang": etape.rang,
                "titre": etape.section.titre,
                "questions": [
                    {"code": ligne["question"].code, "libelle": ligne["question"].libelle, "texte": ligne["texte"]}
                    for ligne in lignes
                ],
            }
            for etape, lignes in saisie.sections_lues()
        ],
        "journal": resume_journal(participation.designation),
        "lettre": None
        if lettre is None
        else {
            "url": lettre.get_absolute_url(),
            "annee": str(lettre.annee),
            "statut": lettre.statut,
            "statut_libelle": str(lettre.get_statut_display()),
            "code_verification": lettre.code_verification or "",
        },
        "indicateurs": []
        if lettre is None
        else [
            {"titre": axe["titre"], "indicateurs": list(axe["indicateurs"])}
            for axe in lettre.corps()["axes"]
            if axe["indicateurs"]
        ],
    }


def compte_rendu(participation, saisie=None):
    """Le compte-rendu à présenter : tel que figé à l'envoi pour une participation envoyée, sinon (pas encore
    envoyée, ou rouverte) lu en direct. `fige` : il vient de l'envoi."""
    fige = participation.statut == Participation.Statut.SOUMISE and participation.compte_rendu is not None
    donnees = participation.compte_rendu if fige else donnees_compte_rendu(participation, saisie)
    return {**donnees, "etabli_le": datetime.datetime.fromisoformat(donnees["etabli_le"]), "fige": fige}


def html_compte_rendu(participation):
    """Le HTML du PDF (rendu par WeasyPrint dans `pdf_compte_rendu`)."""
    return render_to_string(
        "enquetes/pdf/compte_rendu.html",
        {
            "participation": participation,
            "designation": participation.designation,
            "enquete": participation.enquete,
            "compte_rendu": compte_rendu(participation),
            "edite_le": timezone.localtime(),
        },
    )


def pdf_compte_rendu(participation):
    return rendre_pdf(html_compte_rendu(participation))


# --- Écritures --------------------------------------------------------------------------------------


def _verrouiller(participation):
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("enquete", "designation__etablissement", "designation__agent")
        .get(pk=participation.pk)
    )


@transaction.atomic
def etape_enregistrer(*, participation, valeurs):
    """Enregistre les réponses `valeurs` {question: valeur déjà contrôlée} (forms_saisie) ; rend la
    participation relue. Les questions absentes de `valeurs` ne changent pas."""
    participation = _verrouiller(participation)
    raison = pourquoi_non_modifiable(participation)
    if raison:
        raise ValidationError(raison)
    if any(question.enquete_id != participation.enquete_id or question.masquee for question in valeurs):
        raise ValidationError("Cette question n'est pas posée dans votre enquête.")
    maintenant = timezone.now()
    existantes = {
        reponse.question_id: reponse
        for reponse in Reponse.objects.filter(participation=participation, question__in=list(valeurs))
    }
    nouvelles, modifiees = [], []
    for question, valeur in valeurs.items():
        reponse = existantes.get(question.pk)
        if reponse is None:
            nouvelles.append(Reponse(participation=participation, question=question, valeur=valeur))
        elif reponse.valeur != valeur:
            reponse.valeur, reponse.modifiee_le = valeur, maintenant
            modifiees.append(reponse)
    Reponse.objects.bulk_create(nouvelles)
    Reponse.objects.bulk_update(modifiees, ["valeur", "modifiee_le"])
    if participation.statut == Participation.Statut.A_FAIRE:
        participation.statut = Participation.Statut.EN_COURS
    participation.save(update_fields=["statut", "modifiee_le"])
    return participation


@transaction.atomic
def participation_envoyer(*, participation, par, url_absolue=url_du_site):
    """Le RUPN envoie son compte-rendu : il ne se modifie plus (sauf réouverture par la DANE) et la
    direction de l'établissement en est prévenue. Lève DejaEnvoyee au second envoi."""
    participation = _verrouiller(participation)
    if participation.designation.agent_id != par.pk:
        raise ValidationError("Seul le RUPN de la désignation envoie son compte-rendu.")
    if participation.statut == Participation.Statut.SOUMISE:
        raise DejaEnvoyee()
    raison = pourquoi_non_modifiable(participation)
    if raison:
        raise ValidationError(raison)
    manquantes = Saisie.de(participation).obligatoires_manquantes()
    if manquantes:
        raise ValidationError(
            "Répondez d'abord aux questions obligatoires : "
            + " ; ".join(f"« {question.libelle} » (étape {etape.rang})" for etape, question in manquantes)
            + "."
        )
    participation.statut = Participation.Statut.SOUMISE
    participation.soumise_le = timezone.now()
    participation.rouverte = False
    participation.compte_rendu = donnees_compte_rendu(participation)
    participation.save(update_fields=["statut", "soumise_le", "rouverte", "compte_rendu", "modifiee_le"])
    designation = participation.designation
    envoyer_apres_validation(
        sujet=f"Compte-rendu d'activité de {designation.agent} ({designation.etablissement.nom})",
        gabarit="enquetes/email/compte_rendu_envoye.txt",
        contexte={
            "participation": participation,
            "designation": designation,
            "lien": url_absolue(participation.get_absolute_url()),
        },
        destinataires=Role.objects.adresses_de_la_direction(designation.etablissement),
    )
    return participation


@transaction.atomic
def participation_prendre_connaissance(*, participation, par, commentaire="", url_absolue=url_du_site):
    """La direction de l'établissement prend connaissance du compte-rendu envoyé, avec un commentaire
    facultatif ; le RUPN en est prévenu s'il est joignable (`rupn_joignable`). Lève DejaLue à la seconde fois."""
    participation = _verrouiller(participation)
    role = getattr(par, "role_actif", None)
    if role is None or not role.dirige(participation.designation.etablissement_id):
        raise ValidationError("Seule la direction de l'établissement prend connaissance du compte-rendu.")
    if participation.statut != Participation.Statut.SOUMISE:
        raise ValidationError("Le RUPN n'a pas encore envoyé son compte-rendu.")
    if participation.lue_le is not None:
        raise DejaLue()
    commentaire = commentaire.replace("\r\n", "\n").strip()
    if len(commentaire) > LONGUEUR_COMMENTAIRE:
        raise ValidationError(
            f"Le commentaire compte {len(commentaire)} caractères : {LONGUEUR_COMMENTAIRE} au plus.",
            code="commentaire",
        )
    participation.lue_le = timezone.now()
    participation.lue_par = par
    participation.commentaire_direction = commentaire
    participation.save(update_fields=["lue_le", "lue_par", "commentaire_direction", "modifiee_le"])
    designation = participation.designation
    if not rupn_joignable(designation):
        return participation
    envoyer_apres_validation(
        sujet=f"Votre compte-rendu d'activité {participation.enquete.annee} est lu par la direction",
        gabarit="enquetes/email/compte_rendu_lu.txt",
        contexte={
            "participation": participation,
            "designation": designation,
            "par": par,
            "lien": url_absolue(participation.get_absolute_url()),
        },
        destinataires=[designation.agent.email],
    )
    return participation


def url_etape(participation, rang):
    return reverse("enquetes:participation_etape", args=[participation.uuid, rang])
