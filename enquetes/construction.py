"""Construction de l'enquête (DANE) et sa campagne : enquête et dates, sections, questions avec les règles
de version, lancement (participations et invitations), relances, réouverture d'une participation.

Règles de version d'une question dont une réponse est enregistrée : elle ne se supprime plus (on la masque),
son code et son type ne changent plus, et un choix déjà répondu ne se retire pas (en ajouter reste permis).
Ainsi aucune réponse ne se perd ni ne change de sens, et les années restent comparables par code.

Les courriels partent après la validation de la transaction (rupn/courriels.py) ; `url_absolue` fait les
liens : `request.build_absolute_uri` dans une vue, `rupn.courriels.url_du_site` dans une commande.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Max, ProtectedError, Q
from django.utils import timezone
from django.utils.formats import date_format

from enquetes import services
from enquetes.models import Enquete, Participation, Question, Section
from rupn.courriels import envoyer_apres_validation

LONGUEUR_CHOIX = 200
Statut = Participation.Statut


def _date(jour):
    return date_format(jour, "j F Y")


# État de la campagne


@dataclass(frozen=True)
class EtatCampagne:
    code: str  # a_preparer, a_venir, ouverte, close
    libelle: str
    badge: str  # classe du badge DSFR


def etat_campagne(enquete, jour=None):
    jour = jour or timezone.localdate()
    if not enquete.lancee:
        return EtatCampagne("a_preparer", "Campagne non lancée", "fr-badge--info")
    if enquete.close(jour):
        return EtatCampagne("close", "Campagne close", "")
    if enquete.ouverte(jour):
        return EtatCampagne("ouverte", "Campagne ouverte", "fr-badge--success")
    return EtatCampagne("a_venir", f"Campagne lancée, ouverture le {_date(enquete.ouverture)}", "fr-badge--new")


def enquete_precedente(*, academie, annee):
    """La plus récente enquête de l'académie avant `annee` (celle de l'an dernier, en général), ou None."""
    return (
        Enquete.objects.filter(academie=academie, annee__debut__lt=annee.debut)
        .select_related("annee")
        .order_by("-annee__debut")
        .first()
    )


# Enquête et dates


@transaction.atomic
def enquete_modifier(*, enquete, titre, introduction, ouverture, cloture):
    """Titre, texte d'accueil et dates de la campagne. Une campagne lancée garde ses deux dates."""
    enquete = Enquete.objects.select_for_update().get(pk=enquete.pk)
    erreurs = {}
    if ouverture and cloture and cloture < ouverture:
        erreurs["cloture"] = (
            f"La clôture ({_date(cloture)}) ne peut précéder l'ouverture ({_date(ouverture)}) : choisissez "
            f"le {_date(ouverture)} ou une date suivante."
        )
    if enquete.lancee:
        for champ, valeur in (("ouverture", ouverture), ("cloture", cloture)):
            if valeur is None:
                erreurs[champ] = "La campagne est lancée : cette date reste fixée (vous pouvez la changer)."
    if erreurs:
        raise ValidationError(erreurs)
    enquete.titre, enquete.introduction = titre, introduction
    enquete.ouverture, enquete.cloture = ouverture, cloture
    enquete.full_clean()
    enquete.save()
    return enquete


# Sections


def _ordre_suivant(objets):
    return (objets.aggregate(dernier=Max("ordre"))["dernier"] or 0) + 1


@transaction.atomic
def section_creer(*, enquete, titre, description="", ordre=None):
    """Une nouvelle étape de l'enquête ; sans `ordre`, elle vient après les autres."""
    section = Section(
        enquete=enquete,
        titre=titre,
        description=description,
        ordre=ordre if ordre is not None else _ordre_suivant(enquete.sections.all()),
    )
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def section_modifier(*, section, titre, description, ordre):
    section = Section.objects.select_for_update().get(pk=section.pk)
    section.titre, section.description = titre, description
    if ordre is not None:
        section.ordre = ordre
    section.full_clean()
    section.save()
    return section


# Questions


def reponses_enregistrees(question):
    """Les réponses qui comptent pour les règles de version : une réponse vidée (valeur nulle, laissée par
    l'enregistrement automatique) ne fige pas la question."""
    return question.reponses.filter(valeur__isnull=False)


def nombre_de_reponses():
    """Annotation des questions : leurs réponses enregistrées (voir `reponses_enregistrees`)."""
    return Count("reponses", filter=Q(reponses__valeur__isnull=False))


def choix_repondus(question):
    """Les choix que des réponses enregistrées citent (choix unique : un texte ; choix multiple : une liste)."""
    repondus = set()
    for valeur in reponses_enregistrees(question).values_list("valeur", flat=True):
        for choix in valeur if isinstance(valeur, list) else [valeur]:
            if isinstance(choix, str) and choix:
                repondus.add(choix)
    return repondus


def _options(type, options):
    """Les choix nettoyés (sans blancs ni lignes vides) ; vides pour une question qui n'est pas à choix."""
    if type not in Question.TYPES_A_OPTIONS:
        return []
    propres = [choix.strip() for choix in options if choix and choix.strip()]
    doublons = sorted({choix for choix in propres if propres.count(choix) > 1})
    if doublons:
        raise ValidationError(
            {"options": f"Chaque choix ne figure qu'une fois ; répété : « {' », « '.join(doublons)} »."}
        )
    if trop_longs := [choix for choix in propres if len(choix) > LONGUEUR_CHOIX]:
        raise ValidationError(
            {"options": f"Un choix tient en {LONGUEUR_CHOIX} caractères au plus : « {trop_longs[0][:40]}… »."}
        )
    if len(propres) < 2:
        raise ValidationError({"options": "Une question à choix propose au moins deux choix, un par ligne."})
    return propres


def _verifier_question(question, *, options):
    """Section de la même enquête, code libre dans l'enquête, choix valables ; puis `full_clean`."""
    erreurs = {}
    if question.section.enquete_id != question.enquete_id:
        erreurs["section"] = "Choisissez une section de cette enquête."
    autres = Question.objects.filter(enquete_id=question.enquete_id, code=question.code).exclude(pk=question.pk)
    if question.code and autres.exists():
        erreurs["code"] = f"Le code « {question.code} » est déjà celui d'une autre question de l'enquête."
    try:
        question.options = _options(question.type, options)
    except ValidationError as erreur:
        erreurs.update(erreur.message_dict)
    try:
        # La contrainte d'unicité est vérifiée ci-dessus, avec un message en français.
        question.full_clean(validate_constraints=False)
    except ValidationError as erreur:
        for champ, messages in erreur.message_dict.items():
            erreurs.setdefault(champ, messages)
    if erreurs:
        raise ValidationError(erreurs)


@transaction.atomic
def question_creer(
    *, enquete, section, code, libelle, type, options=(), obligatoire=False, aide="", ordre=None, masquee=False
):
    """Une nouvelle question ; sans `ordre`, elle vient après les autres questions de sa section."""
    question = Question(
        enquete=enquete,
        section=section,
        code=code,
        libelle=libelle,
        type=type,
        obligatoire=obligatoire,
        aide=aide,
        masquee=masquee,
        ordre=ordre if ordre is not None else _ordre_suivant(section.questions.all()),
    )
    _verifier_question(question, options=options)
    question.save()
    return question


@transaction.atomic
def question_modifier(*, question, section, code, libelle, type, options, obligatoire, aide, ordre, masquee):
    """Modifie une question selon les règles de version : une fois répondue, ni son code ni son type ne changent,
    et aucun choix répondu ne se retire (erreurs au niveau du champ)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    erreurs = {}
    if reponses_enregistrees(question).exists():
        if code != question.code:
            erreurs["code"] = (
                f"Des réponses sont enregistrées : le code reste « {question.code} » (il relie les réponses entre "
                "elles et aux autres années)."
            )
        if type != question.type:
            erreurs["type"] = (
                f"Des réponses sont enregistrées : le type reste « {question.get_type_display()} ». Masquez cette "
                "question et ajoutez-en une nouvelle."
            )
        elif type in Question.TYPES_A_OPTIONS:
            gardes = {choix.strip() for choix in options}
            if retires := sorted(choix_repondus(question) - gardes):
                erreurs["options"] = (
                    f"Des réponses citent « {' », « '.join(retires)} » : "
                    f"{'ce choix ne peut être retiré' if len(retires) == 1 else 'ces choix ne peuvent être retirés'}"
                    " (vous pouvez en ajouter)."
                )
    if erreurs:
        raise ValidationError(erreurs)
    # Le préremplissage ne vaut que pour un type (enquetes/preremplissage.py) : un nombre pour les clés « journal_* »,
    # oui ou non pour « lettre_signee ». Un autre type recevrait une valeur proposée qui ne lui convient pas.
    if question.prerempli.startswith("journal_"):
        attendu = Question.Type.NOMBRE
    elif question.prerempli == "lettre_signee":
        attendu = Question.Type.OUI_NON
    else:
        attendu = None
    if attendu is not None and type != attendu:
        question.prerempli = ""
    question.section, question.code, question.libelle, question.type = section, code, libelle, type
    question.obligatoire, question.aide, question.masquee = obligatoire, aide, masquee
    if ordre is not None:
        question.ordre = ordre
    _verifier_question(question, options=options)
    question.save()
    return question


@transaction.atomic
def question_masquer(*, question, masquee=True):
    """Masque une question (elle n'est plus posée, ses réponses restent) ou la pose de nouveau."""
    Question.objects.filter(pk=question.pk).update(masquee=masquee)
    question.masquee = masquee
    return question


def _refus_suppression(question):
    return ValidationError(
        f"Des réponses sont enregistrées pour « {question.code} » : la question ne se supprime plus. Masquez-la : "
        "elle ne sera plus posée et ses réponses resteront."
    )


@transaction.atomic
def question_supprimer(*, question):
    """Supprime une question sans réponse ; une question répondue se masque."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if reponses_enregistrees(question).exists():
        raise _refus_suppression(question)
    try:
        question.reponses.all().delete()  # des réponses vidées
        question.delete()
    except ProtectedError:  # une réponse enregistrée entre-temps
        raise _refus_suppression(question) from None


# Campagne : courriels


@dataclass
class Envois:
    """Ce qu'une action de campagne a fait : participations créées, invitées, relancées, et celles dont la
    personne n'a pas d'adresse (ou un compte désactivé) : aucun courriel ne lui est parti."""

    deja_lancee: bool = False
    creees: list = field(default_factory=list)
    invitees: list = field(default_factory=list)
    relancees: list = field(default_factory=list)
    sans_adresse: list = field(default_factory=list)


def _avec_destinataire(participations):
    return participations.select_related(
        "enquete__academie", "enquete__annee", "designation__agent", "designation__etablissement"
    ).order_by("designation__agent_id", "designation__etablissement__nom", "pk")


def _ecrire(participations, *, gabarit, sujet, url_absolue, envois):
    """Un courriel par personne et par enquête, qui cite chacune de ses participations avec son lien ;
    rend les participations écrites (les autres vont dans `envois.sans_adresse`)."""
    par_personne = {}
    for participation in participations:
        agent = participation.designation.agent
        if not services.rupn_joignable(participation.designation):
            envois.sans_adresse.append(participation)
            continue
        par_personne.setdefault((agent, participation.enquete), []).append(participation)
    for (agent, enquete), siennes in par_personne.items():
        envoyer_apres_validation(
            sujet=sujet(enquete),
            gabarit=gabarit,
            contexte={
                "personne": agent,
                "enquete": enquete,
                "participations": [(p, url_absolue(p.get_absolute_url())) for p in siennes],
            },
            destinataires=[agent.email],
        )
    return [participation for siennes in par_personne.values() for participation in siennes]


def _sujet_invitation(enquete):
    return f"Enquête de fin d'année {enquete.annee} : votre compte-rendu d'activité de RUPN"


def _sujet_relance(enquete):
    return f"Rappel : l'enquête de fin d'année {enquete.annee} attend vos réponses"


def _inviter(participations, *, url_absolue, maintenant, envois):
    invitees = _ecrire(
        _avec_destinataire(participations),
        gabarit="enquetes/email/invitation.txt",
        sujet=_sujet_invitation,
        url_absolue=url_absolue,
        envois=envois,
    )
    # `update` : une invitation n'est pas une modification de la participation (`modifiee_le`).
    Participation.objects.filter(pk__in=[p.pk for p in invitees]).update(invitee_le=maintenant)
    envois.invitees.extend(invitees)


def _relancer(participations, *, url_absolue, maintenant, envois):
    relancees = _ecrire(
        _avec_destinataire(participations),
        gabarit="enquetes/email/relance.txt",
        sujet=_sujet_relance,
        url_absolue=url_absolue,
        envois=envois,
    )
    cles = [p.pk for p in relancees]
    Participation.objects.filter(pk__in=cles).update(relancee_le=maintenant)
    # Une relance vaut invitation pour qui n'en avait pas reçu.
    Participation.objects.filter(pk__in=cles, invitee_le__isnull=True).update(invitee_le=maintenant)
    envois.relancees.extend(relancees)


# Campagne : lancement, relances, réouverture


@transaction.atomic
def campagne_lancer(*, enquete, url_absolue, maintenant=None):
    """Lance la campagne : crée une participation par désignation acceptée de l'année et invite chaque RUPN
    (même si l'ouverture est à venir : la saisie n'ouvre qu'à la date). Une seule fois : une campagne déjà
    lancée ne renvoie rien (`Envois.deja_lancee`) ; les participations créées ensuite sont invitées par la
    commande relancer_enquete."""
    maintenant = maintenant or timezone.now()
    enquete = Enquete.objects.select_for_update().get(pk=enquete.pk)
    envois = Envois()
    if enquete.lancee:
        envois.deja_lancee = True
        return envois
    erreurs = {}
    if enquete.ouverture is None:
        erreurs["ouverture"] = "Fixez la date d'ouverture de la campagne avant de la lancer."
    if enquete.cloture is None:
        erreurs["cloture"] = "Fixez la date de clôture de la campagne avant de la lancer."
    elif enquete.cloture < timezone.localdate(maintenant):
        erreurs["cloture"] = f"La clôture ({_date(enquete.cloture)}) est passée : reportez-la avant de lancer."
    if not enquete.questions.filter(masquee=False).exists():
        erreurs[NON_FIELD_ERRORS] = "L'enquête ne pose aucune question : ajoutez-en avant de lancer."
    if erreurs:
        raise ValidationError(erreurs)
    Enquete.objects.filter(pk=enquete.pk).update(lancee_le=maintenant)
    enquete.lancee_le = maintenant
    envois.creees = services.participations_creer(enquete)
    _inviter(
        enquete.participations.filter(invitee_le__isnull=True),
        url_absolue=url_absolue,
        maintenant=maintenant,
        envois=envois,
    )
    return envois


def non_repondants(participations):
    """Les participations encore attendues : pas envoyées, et dont la désignation n'a été ni annulée ni refusée."""
    return services.dues(participations).exclude(statut=Statut.SOUMISE)


DELAI_ENTRE_DEUX_RELANCES_A_LA_DEMANDE = datetime.timedelta(hours=1)


@transaction.atomic
def participations_relancer(*, enquete, participations, url_absolue, maintenant=None):
    """Relance, à la demande de la DANE, les participations choisies de l'enquête qui ne sont pas envoyées
    (les autres sont ignorées), sans autre délai qu'une heure depuis la dernière relance (un double envoi du
    formulaire, ou la commande qui tourne en même temps, ne relance qu'une fois) ; note `relancee_le`. La
    campagne doit être ouverte."""
    maintenant = maintenant or timezone.now()
    jour = timezone.localdate(maintenant)
    if not enquete.lancee:
        raise ValidationError("La campagne n'est pas lancée : lancez-la, les invitations partiront alors.")
    if enquete.close(jour):
        raise ValidationError(
            f"La campagne est close (son dernier jour était le {_date(enquete.cloture)}) : reportez la clôture, "
            "ou rouvrez une participation."
        )
    if not enquete.ouverte(jour):
        raise ValidationError(
            f"La saisie n'ouvre que le {_date(enquete.ouverture)} : les invitations sont parties, relancez après "
            "l'ouverture."
        )
    choisies = Participation.objects.filter(enquete=enquete, pk__in=[p.pk for p in participations])
    envois = Envois()
    cibles = list(
        non_repondants(choisies)
        .select_for_update(of=("self",))
        .exclude(relancee_le__gte=maintenant - DELAI_ENTRE_DEUX_RELANCES_A_LA_DEMANDE)
        .values_list("pk", flat=True)
    )
    _relancer(
        Participation.objects.filter(pk__in=cibles), url_absolue=url_absolue, maintenant=maintenant, envois=envois
    )
    return envois


def peut_rouvrir(participation, jour=None):
    """Une participation envoyée, ou dont la campagne est close sans qu'elle soit déjà rouverte."""
    if not participation.enquete.lancee:
        return False
    if participation.statut == Statut.SOUMISE:
        return True
    return participation.enquete.close(jour) and not participation.rouverte


@transaction.atomic
def participation_rouvrir(*, participation, url_absolue):
    """Rend la participation modifiable (même après la clôture) jusqu'à son prochain envoi, et prévient le RUPN."""
    participation = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("enquete__annee", "enquete__academie", "designation__agent", "designation__etablissement")
        .get(pk=participation.pk)
    )
    if not peut_rouvrir(participation):
        raise ValidationError(
            "Cette participation est encore ouverte à la saisie (pas envoyée, campagne en cours) : rien à rouvrir."
        )
    participation.statut, participation.rouverte, participation.soumise_le = Statut.EN_COURS, True, None
    # La direction lira la nouvelle version : sa prise de connaissance repart de zéro, et le compte-rendu
    # figé à l'envoi se lit de nouveau en direct jusqu'au prochain envoi.
    participation.lue_le, participation.lue_par, participation.commentaire_direction = None, None, ""
    participation.compte_rendu = None
    participation.save(
        update_fields=[
            "statut",
            "rouverte",
            "soumise_le",
            "lue_le",
            "lue_par",
            "commentaire_direction",
            "compte_rendu",
            "modifiee_le",
        ]
    )
    agent = participation.designation.agent
    if services.rupn_joignable(participation.designation):
        envoyer_apres_validation(
            sujet=f"Enquête de fin d'année {participation.enquete.annee} : vos réponses sont de nouveau modifiables",
            gabarit="enquetes/email/rouverte.txt",
            contexte={
                "personne": agent,
                "participation": participation,
                "lien": url_absolue(participation.get_absolute_url()),
            },
            destinataires=[agent.email],
        )
    return participation


# Commande relancer_enquete


@dataclass
class BilanCampagne:
    enquete: Enquete
    envois: Envois


def campagnes_a_suivre(*, jour, academie=None):
    """Les campagnes lancées et pas encore closes."""
    enquetes = Enquete.objects.filter(lancee_le__isnull=False).filter(Q(cloture__isnull=True) | Q(cloture__gte=jour))
    if academie is not None:
        enquetes = enquetes.filter(academie=academie)
    return enquetes.select_related("academie", "annee").order_by("academie__nom", "annee__debut")


@transaction.atomic
def campagnes_relancer(*, url_absolue, jours=None, maintenant=None, academie=None, simulation=False):
    """Pour chaque campagne lancée et pas close : crée les participations manquantes (désignations acceptées
    depuis le lancement) et les invite ; une fois la saisie ouverte, relance les non-répondants invités ou
    relancés pour la dernière fois il y a au moins `jours` jours (RUPN_RELANCE_JOURS). Idempotente. En
    simulation, rien n'est envoyé ni enregistré (la transaction est annulée). Rend un `BilanCampagne` par
    campagne."""
    jours = jours if jours is not None else settings.RUPN_RELANCE_JOURS
    maintenant = maintenant or timezone.now()
    jour = timezone.localdate(maintenant)
    limite = maintenant - datetime.timedelta(days=jours)
    bilans = []
    # Verrouillées : deux exécutions simultanées (ou un lancement) n'envoient pas deux fois.
    for enquete in campagnes_a_suivre(jour=jour, academie=academie).select_for_update(of=("self",)):
        envois = Envois(creees=services.participations_creer(enquete))
        _inviter(
            enquete.participations.filter(invitee_le__isnull=True),
            url_absolue=url_absolue,
            maintenant=maintenant,
            envois=envois,
        )
        if enquete.ouverte(jour):
            a_relancer = non_repondants(enquete.participations.all()).filter(
                Q(invitee_le__lte=limite), Q(relancee_le__isnull=True) | Q(relancee_le__lte=limite)
            )
            _relancer(a_relancer, url_absolue=url_absolue, maintenant=maintenant, envois=envois)
        bilans.append(BilanCampagne(enquete, envois))
    if simulation:
        transaction.set_rollback(True)
    return bilans
