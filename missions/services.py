"""Écritures du domaine des désignations : une fonction par action, une transaction chacune,
chaque changement d'état journalisé (Transition)."""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from missions.echeancier import mois_de_mission, montant_du
from missions.models import Designation, Enveloppe, RelanceCouverture, TauxIMP, Transition
from rupn.comptes.models import Role, Utilisateur
from rupn.comptes.services import relancer_directions
from rupn.courriels import envoyer_apres_validation

Statut = Designation.Statut


def _calculer_montant(designation):
    designation.nb_mois = len(mois_de_mission(designation.annee.debut, designation.debut, designation.fin))
    designation.montant = montant_du(designation.taux.montant, designation.nb_mois) if designation.taux_id else 0


def _changer_statut(designation, vers, par, commentaire="", champs=()):
    """Passe la désignation à l'état `vers` et journalise le changement."""
    de = designation.statut
    designation.statut = vers
    designation.save(update_fields=["statut", *champs])
    Transition.objects.create(designation=designation, de=de, vers=vers, par=par, commentaire=commentaire)


def _verrouiller(designation, *statuts_permis, action):
    """Relit la désignation sous verrou : deux clics ou deux personnes ne font pas deux transitions."""
    designation = (
        Designation.objects.select_for_update(of=("self",))
        .select_related("annee", "etablissement", "agent")
        .get(pk=designation.pk)
    )
    if designation.statut not in statuts_permis:
        raise ValidationError(
            f"Cette désignation est « {designation.get_statut_display().lower()} » : on ne peut plus {action}."
        )
    return designation


def _inviter(designation, url_absolue):
    envoyer_apres_validation(
        sujet=f"Vous êtes proposé(e) comme RUPN — {designation.etablissement.nom}",
        gabarit="missions/email/proposition.txt",
        contexte={"designation": designation, "lien": url_absolue(designation_lien_reponse(designation))},
        destinataires=[designation.agent.email],
    )


def designation_lien_reponse(designation):
    return reverse("missions:designation_repondre", args=[designation.jeton])


@transaction.atomic
def designation_proposer(*, designation, par, url_absolue, nouvel_agent=None):
    """Enregistre une désignation proposée et demande son accord à la personne.

    `nouvel_agent` ({email, first_name, last_name}) : la personne n'a pas encore de compte ;
    il est créé sans mot de passe, elle le choisira en acceptant.
    """
    try:
        with transaction.atomic():
            if nouvel_agent is not None:
                designation.agent = Utilisateur.objects.create_user(
                    nouvel_agent["email"],
                    None,
                    first_name=nouvel_agent["first_name"],
                    last_name=nouvel_agent["last_name"],
                )
            designation.cree_par = par
            designation.premier_mois_paiement = designation.etablissement.academie.premier_mois_paiement
            designation.full_clean(validate_constraints=False)
            _calculer_montant(designation)
            designation.save()
    except IntegrityError:
        # Deux envois simultanés du même formulaire : une contrainte d'unicité a arrêté le second.
        raise ValidationError("Cette désignation vient déjà d'être enregistrée : consultez la liste.") from None
    Transition.objects.create(designation=designation, de="", vers=Statut.PROPOSEE, par=par)
    _inviter(designation, url_absolue)
    return designation


@transaction.atomic
def designation_accepter(*, designation, par, url_absolue, mot_de_passe=None):
    """La personne désignée donne son accord ; elle devient RUPN de l'établissement pour la période."""
    designation = _verrouiller(designation, Statut.PROPOSEE, action="l'accepter")
    agent = designation.agent
    if mot_de_passe:
        agent.set_password(mot_de_passe)
        agent.save(update_fields=["password"])
    # Le lien reçu par courriel prouve l'adresse.
    EmailAddress.objects.update_or_create(user=agent, email=agent.email, defaults={"verified": True, "primary": True})
    _changer_statut(designation, Statut.ACCEPTEE, par)
    _ajuster_roles_rupn(agent, designation.etablissement)
    _repondre_a_la_direction(designation, url_absolue)
    return designation


def _ajuster_roles_rupn(agent, etablissement):
    """Les rôles RUPN datés de la personne dans l'établissement suivent ses missions acceptées :
    un rôle par période continue de missions. Un rôle sans fin (donné par invitation) suffit à tout couvrir."""
    roles = Role.objects.filter(utilisateur=agent, type=Role.Type.RUPN, etablissement=etablissement)
    if roles.filter(fin__isnull=True).exists():
        return
    periodes = []
    missions = Designation.objects.filter(
        agent=agent, etablissement=etablissement, statut__in=Designation.STATUTS_ACCEPTES
    ).order_by("debut")
    for debut, fin in missions.values_list("debut", "fin"):
        if periodes and debut <= periodes[-1][1] + datetime.timedelta(days=1):
            periodes[-1][1] = max(periodes[-1][1], fin)
        else:
            periodes.append([debut, fin])
    existants = list(roles.order_by("debut"))
    for role, (debut, fin) in zip(existants, periodes, strict=False):
        role.debut, role.fin = debut, fin
        role.save(update_fields=["debut", "fin"])
    for debut, fin in periodes[len(existants) :]:
        role = Role(utilisateur=agent, type=Role.Type.RUPN, etablissement=etablissement, debut=debut, fin=fin)
        role.full_clean()
        role.save()
    Role.objects.filter(pk__in=[role.pk for role in existants[len(periodes) :]]).delete()


def _repondre_a_la_direction(designation, url_absolue):
    envoyer_apres_validation(
        sujet=f"{designation.agent} a {designation.get_statut_display().lower()} sa désignation",
        gabarit="missions/email/reponse.txt",
        contexte={"designation": designation, "lien": url_absolue(designation.get_absolute_url())},
        destinataires=[*Role.objects.adresses_de_la_direction(designation.etablissement), designation.cree_par.email],
    )


@transaction.atomic
def designation_refuser(*, designation, par, motif, url_absolue):
    designation = _verrouiller(designation, Statut.PROPOSEE, action="la refuser")
    motif = motif.strip()
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de votre refus : il sera transmis à la direction."})
    designation.motif_refus = motif
    _changer_statut(designation, Statut.REFUSEE, par, commentaire=motif, champs=["motif_refus"])
    _repondre_a_la_direction(designation, url_absolue)
    return designation


@transaction.atomic
def designations_valider(*, designations, par, url_absolue):
    """La DANE valide des désignations acceptées ; rend le nombre de désignations validées.

    Celles qui ne sont plus à valider (déjà validées, annulées entre-temps) sont laissées telles quelles.
    """
    validees = 0
    for designation in (
        Designation.objects.select_for_update(of=("self",))
        .filter(pk__in=[d.pk for d in designations], statut=Statut.ACCEPTEE)
        .exclude(agent=par)  # personne ne valide sa propre désignation
        .select_related("agent", "etablissement", "annee", "taux", "cree_par")
    ):
        _changer_statut(designation, Statut.VALIDEE, par)
        envoyer_apres_validation(
            sujet=f"Désignation validée — {designation.etablissement.nom}",
            gabarit="missions/email/validation.txt",
            contexte={"designation": designation, "lien": url_absolue(designation.get_absolute_url())},
            destinataires=[designation.agent.email, *Role.objects.adresses_de_la_direction(designation.etablissement)],
        )
        validees += 1
    return validees


@transaction.atomic
def designation_annuler(*, designation, par, url_absolue, motif=""):
    """La direction retire une proposition, ou une désignation acceptée que la DANE n'a pas encore validée."""
    designation = _verrouiller(designation, Statut.PROPOSEE, Statut.ACCEPTEE, action="l'annuler")
    _changer_statut(designation, Statut.ANNULEE, par, commentaire=motif.strip())
    _ajuster_roles_rupn(designation.agent, designation.etablissement)
    envoyer_apres_validation(
        sujet=f"Désignation annulée — {designation.etablissement.nom}",
        gabarit="missions/email/annulation.txt",
        contexte={"designation": designation, "motif": motif.strip(), "lien": url_absolue("/")},
        destinataires=[designation.agent.email],
    )
    return designation


@transaction.atomic
def designation_terminer(*, designation, par, fin, motif=""):
    """Met fin à la mission à la date `fin` (remplacement, départ) : son montant est recalculé au prorata."""
    designation = _verrouiller(designation, Statut.VALIDEE, action="y mettre fin")
    if fin >= designation.fin:
        raise ValidationError(
            {"fin": f"La mission se termine déjà le {designation.fin:%d/%m/%Y} : choisissez une date antérieure."}
        )
    designation.fin = fin
    designation.full_clean(validate_constraints=False)
    _calculer_montant(designation)
    _changer_statut(
        designation,
        Statut.TERMINEE,
        par,
        commentaire=f"Fin le {fin:%d/%m/%Y}." + (f" {motif.strip()}" if motif.strip() else ""),
        champs=["fin", "nb_mois", "montant"],
    )
    _ajuster_roles_rupn(designation.agent, designation.etablissement)
    return designation


def designations_a_renouveler(etablissement, annee_precedente, annee):
    """Les désignations acceptées de l'année précédente dont la personne n'a pas encore été proposée cette année
    (ou l'a été et a refusé : on ne la lui propose pas de nouveau d'un clic)."""
    deja = (
        Designation.objects.filter(etablissement=etablissement, annee=annee)
        .exclude(statut=Statut.ANNULEE)
        .values("agent")
    )
    return (
        Designation.objects.filter(
            etablissement=etablissement,
            annee=annee_precedente,
            statut__in=[Statut.ACCEPTEE, Statut.VALIDEE],
        )
        .exclude(agent__in=deja)
        .select_related("agent", "taux", "annee")
    )


@transaction.atomic
def designations_renouveler(*, precedentes, annee, par, url_absolue):
    """Propose à nouveau, pour toute l'année `annee`, chacune des désignations `precedentes`.

    Tout ou rien : si l'une ne peut l'être (taux retiré par l'académie…), aucune ne l'est.
    """
    nouvelles = []
    for precedente in precedentes:
        designation = Designation(
            etablissement=precedente.etablissement,
            annee=annee,
            agent=precedente.agent,
            taux=precedente.taux,
            heures_allegement=precedente.heures_allegement,
            debut=annee.debut,
            fin=annee.fin,
        )
        try:
            nouvelles.append(designation_proposer(designation=designation, par=par, url_absolue=url_absolue))
        except ValidationError as erreur:
            raise ValidationError(f"{precedente.agent} : {' '.join(erreur.messages)}") from None
    return nouvelles


@transaction.atomic
def consentements_relancer(*, url_absolue, jours=None, maintenant=None):
    """Relance chaque personne dont une désignation attend son accord, au plus une fois tous les
    `jours` jours (RUPN_RELANCE_JOURS) ; rend le nombre de personnes relancées."""
    maintenant = maintenant or timezone.now()
    limite = maintenant - datetime.timedelta(days=jours if jours is not None else settings.RUPN_RELANCE_JOURS)
    # Une proposition dont la période de mission est passée n'appelle plus de réponse.
    en_attente = Designation.objects.filter(statut=Statut.PROPOSEE, fin__gte=timezone.localdate(maintenant))
    # La dernière relance d'une personne compte, quelle que soit la désignation (même acceptée depuis).
    relancees_recemment = Designation.objects.filter(derniere_relance_le__gt=limite).values("agent")
    a_relancer = (
        en_attente.exclude(agent__in=relancees_recemment)
        .filter(cree_le__lte=limite)
        .select_related("agent", "etablissement", "annee", "taux", "cree_par")
        .order_by("agent", "cree_le")
    )
    par_personne = {}
    for designation in a_relancer:
        par_personne.setdefault(designation.agent, []).append(designation)
    for agent, designations in par_personne.items():
        envoyer_apres_validation(
            sujet=(
                "Rappel : des désignations comme RUPN attendent votre réponse"
                if len(designations) > 1
                else "Rappel : une désignation comme RUPN attend votre réponse"
            ),
            gabarit="missions/email/relance_consentement.txt",
            contexte={
                "agent": agent,
                "designations": [(d, url_absolue(designation_lien_reponse(d))) for d in designations],
            },
            destinataires=[agent.email],
        )
    Designation.objects.filter(pk__in=[d.pk for ds in par_personne.values() for d in ds]).update(
        derniere_relance_le=maintenant
    )
    return len(par_personne)


@transaction.atomic
def couverture_relancer(*, etablissements, annee, par, url_absolue, jours=None):
    """Écrit à la direction de chaque établissement sans RUPN, sauf s'il a été relancé depuis moins
    de `jours` jours ; rend (établissements relancés, établissements sans direction connue)."""
    limite = timezone.now() - datetime.timedelta(days=jours if jours is not None else settings.RUPN_RELANCE_JOURS)
    recents = set(
        RelanceCouverture.objects.filter(annee=annee, le__gt=limite, etablissement__in=etablissements).values_list(
            "etablissement_id", flat=True
        )
    )
    ecrits, sans_direction = relancer_directions(
        etablissements=etablissements,
        deja_relances=recents,
        sujet=f"Désignation du RUPN pour l'année {annee}",
        gabarit="missions/email/relance_couverture.txt",
        contexte=lambda etablissement: {
            "etablissement": etablissement,
            "annee": annee,
            "par": par,
            "lien": url_absolue(reverse("missions:designation_creer")),
        },
    )
    relances = [RelanceCouverture(etablissement=etablissement, annee=annee, par=par) for etablissement in ecrits]
    RelanceCouverture.objects.bulk_create(relances)
    return len(relances), sans_direction


@transaction.atomic
def enveloppe_fixer(*, etablissement, annee, montant):
    if montant is None or montant < 0:
        raise ValidationError({"montant": "L'enveloppe est un montant positif ou nul, en euros."})
    enveloppe, _ = Enveloppe.objects.update_or_create(
        etablissement=etablissement, annee=annee, defaults={"montant": montant}
    )
    return enveloppe


@transaction.atomic
def taux_autoriser(*, academie, taux):
    """Les taux que l'académie autorise pour la mission RUPN (les autres lui sont retirés)."""
    if not taux:
        raise ValidationError({"taux": "Autorisez au moins un taux d'IMP."})
    academie.taux_imp.set(taux)
    return list(TauxIMP.objects.filter(academies=academie))
