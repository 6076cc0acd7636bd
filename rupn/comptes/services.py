"""Écritures du domaine des comptes : une fonction par action, une transaction chacune."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from rupn.comptes.models import Invitation, Role, Utilisateur
from rupn.courriels import envoyer_apres_validation


@transaction.atomic
def invitation_envoyer(*, formulaire, invite_par, url_absolue):
    """Enregistre l'invitation validée par `formulaire` et envoie le lien par courriel."""
    invitation = formulaire.save(commit=False)
    invitation.invite_par = invite_par
    invitation.full_clean()
    invitation.save()
    formulaire.save_m2m()
    if invitation.type_role != Role.Type.CORRESPONDANT:
        invitation.departements.clear()
    contexte = {
        "invitation": invitation,
        "lien": url_absolue(invitation.get_absolute_url()),
        "nom_service": settings.RUPN_NOM_SERVICE,
    }
    transaction.on_commit(
        lambda: send_mail(
            subject=f"[{settings.RUPN_NOM_SERVICE}] Invitation : {invitation.get_type_role_display()}",
            message=render_to_string("comptes/email/invitation.txt", contexte),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return invitation


@transaction.atomic
def invitation_accepter(*, invitation, utilisateur=None, first_name="", last_name="", password=None):
    """Crée le compte s'il n'existe pas (adresse vérifiée par le lien reçu) et le rôle proposé."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.est_utilisable:
        raise ValidationError(f"Cette invitation est {invitation.statut} : demandez-en une nouvelle.")
    if utilisateur is None:
        utilisateur = Utilisateur.objects.create_user(
            invitation.email, password, first_name=first_name, last_name=last_name
        )
    elif utilisateur.email.lower() != invitation.email.lower():
        raise ValidationError("Cette invitation a été envoyée à une autre adresse électronique.")
    adresse = EmailAddress.objects.filter(user=utilisateur, email__iexact=invitation.email).first()
    if adresse is None:
        premiere = not EmailAddress.objects.filter(user=utilisateur).exists()
        EmailAddress.objects.create(user=utilisateur, email=utilisateur.email, verified=True, primary=premiere)
    elif not adresse.verified:
        adresse.verified = True
        adresse.save(update_fields=["verified"])
    # Un rôle déjà détenu n'est pas dupliqué ; les départements proposés s'y ajoutent.
    role = (
        Role.objects.valides()
        .filter(
            utilisateur=utilisateur,
            type=invitation.type_role,
            etablissement=invitation.etablissement,
            academie=invitation.academie,
        )
        .first()
    )
    if role is None:
        role = Role(
            utilisateur=utilisateur,
            type=invitation.type_role,
            etablissement=invitation.etablissement,
            academie=invitation.academie,
        )
        role.full_clean()
        role.save()
    role.departements.add(*invitation.departements.all())
    invitation.acceptee_le = timezone.now()
    invitation.role = role
    invitation.save(update_fields=["acceptee_le", "role"])
    return utilisateur


@transaction.atomic
def invitation_annuler(*, invitation):
    if not invitation.est_utilisable:
        raise ValidationError(f"Cette invitation est déjà {invitation.statut}.")
    invitation.annulee_le = timezone.now()
    invitation.save(update_fields=["annulee_le"])


@transaction.atomic
def administrateur_creer(*, email, mot_de_passe, prenom="", nom=""):
    """Le premier administrateur national : accès à l'administration, adresse vérifiée, rôle national."""
    email = email.strip().lower()
    if Utilisateur.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"Un compte existe déjà pour {email}.")
    utilisateur = Utilisateur.objects.create_superuser(email, mot_de_passe, first_name=prenom, last_name=nom)
    EmailAddress.objects.create(user=utilisateur, email=email, verified=True, primary=True)
    Role.objects.create(utilisateur=utilisateur, type=Role.Type.NATIONAL)
    return utilisateur


def relancer_directions(*, etablissements, deja_relances, sujet, gabarit, contexte):
    """Écrit à la direction (chef et adjoints en fonction ; à défaut, l'adresse de l'établissement) de chaque
    établissement qui n'est pas dans `deja_relances` (ensemble de clés) ; `contexte(etablissement)` complète
    le gabarit. Rend (établissements écrits, nombre d'établissements sans aucune adresse)."""
    directions = {}
    for etablissement_id, email in (
        Role.objects.valides()
        .filter(etablissement__in=etablissements, type__in=Role.TYPES_DIRECTION)
        .values_list("etablissement_id", "utilisateur__email")
    ):
        directions.setdefault(etablissement_id, []).append(email)
    ecrits, sans_direction = [], 0
    for etablissement in etablissements:
        if etablissement.pk in deja_relances:
            continue
        adresses = directions.get(etablissement.pk) or ([etablissement.email] if etablissement.email else [])
        if not adresses:
            sans_direction += 1
            continue
        envoyer_apres_validation(sujet=sujet, gabarit=gabarit, contexte=contexte(etablissement), destinataires=adresses)
        ecrits.append(etablissement)
    return ecrits, sans_direction
