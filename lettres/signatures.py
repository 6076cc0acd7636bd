"""Signatures, scellement, annulation et avenant d'une lettre de mission.

Ordre : chaque RUPN signe pour accord, puis la direction (chef, ou adjoint par délégation). La
signature de la direction déclenche le rendu du PDF final et son sceau, dans la même transaction :
si le rendu ou le sceau échoue, la signature n'est pas enregistrée, aucun fichier ne reste, et la
direction peut signer de nouveau.
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from lettres.document import empreinte_contenu, empreinte_fichier, pdf_scelle
from lettres.models import LettreMission, Signature
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.courriels import envoyer_apres_validation

logger = logging.getLogger(__name__)

LONGUEUR_MOTIF = 2000


class DejaSignee(Exception):
    """La personne avait déjà signé cette lettre (double clic) : rien de nouveau."""


def texte_consentement(lettre, qualite):
    """La phrase que la personne coche pour signer ; enregistrée telle quelle avec sa signature."""
    objet = (
        f"la lettre de mission {lettre.annee} de {lettre.etablissement.nom} (révision {lettre.revision}, "
        f"empreinte {empreinte_contenu(lettre)[:12]}…)"
    )
    if qualite == Signature.Qualite.RUPN:
        return (
            f"J'ai lu {objet} et je la signe pour accord : j'accepte les missions qu'elle me confie. "
            "Je sais que cette signature électronique m'engage."
        )
    if qualite == Signature.Qualite.ADJOINT:
        return (
            f"J'ai lu {objet} et je la signe par délégation du chef d'établissement. "
            "Je sais que cette signature électronique m'engage et que la lettre sera alors scellée."
        )
    return (
        f"J'ai lu {objet} et je la signe en qualité de chef d'établissement. "
        "Je sais que cette signature électronique m'engage et que la lettre sera alors scellée."
    )


def qualite_de(lettre, user):
    """La qualité en laquelle la personne, dans son rôle actif, signe cette lettre (ou None)."""
    if lettre.a_pour_rupn(user):
        return Signature.Qualite.RUPN
    if lettre.dirigee_par(user):
        return Signature.Qualite.ADJOINT if user.role_actif.type == Role.Type.ADJOINT else Signature.Qualite.CHEF
    return None


def charger_lettre(lettre):
    """Relit la lettre sous verrou, avec ses désignations et ses signatures (deux clics ne signent qu'une fois)."""
    LettreMission.objects.select_for_update(of=("self",)).filter(pk=lettre.pk).values_list("pk").get()
    return (
        LettreMission.objects.select_related("etablissement__academie", "annee", "remplace")
        .prefetch_related(
            Prefetch(
                "designations",
                queryset=Designation.objects.select_related("agent", "taux", "annee").order_by(
                    "debut", "agent__last_name", "agent__first_name"
                ),
            ),
            Prefetch("signatures", queryset=Signature.objects.select_related("signataire")),
        )
        .get(pk=lettre.pk)
    )


def _adresses_participants(lettre):
    return [*Role.objects.adresses_de_la_direction(lettre.etablissement), *(p.email for p in lettre.rupn())]


def lettre_signer(*, lettre, revision, par, methode, adresse_ip, agent_utilisateur, url_absolue):
    """Enregistre la signature de `par` ; rend la lettre relue (scellée si c'était la dernière signature).

    Lève `DejaSignee` si la personne avait déjà signé (double clic), `ValidationError` si ce n'est pas son
    tour, `ErreurRenduPdf` ou `SceauIndisponible` si le PDF final n'a pu être produit : rien n'est alors
    écrit, ni ligne ni fichier."""
    fichier = None
    try:
        with transaction.atomic():
            lettre = charger_lettre(lettre)
            if lettre.a_signe(par):
                raise DejaSignee
            if lettre.statut != LettreMission.Statut.SIGNATURE:
                raise ValidationError(
                    f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle ne se signe pas."
                )
            if revision != lettre.revision:
                raise ValidationError(
                    f"La lettre a été modifiée depuis que vous l'avez ouverte (révision {lettre.revision}, vous "
                    f"lisiez la révision {revision}) : relisez-la avant de la signer."
                )
            qualite = qualite_de(lettre, par)
            if qualite is None:
                raise ValidationError("Seuls les RUPN de la lettre et la direction de l'établissement la signent.")
            if qualite != Signature.Qualite.RUPN and (attendus := lettre.rupn_sans_signature()):
                raise ValidationError(
                    "La direction signe après chaque RUPN. Attendent encore de signer pour accord : "
                    f"{', '.join(str(personne) for personne in attendus)}."
                )
            signature = Signature.objects.create(
                lettre=lettre,
                signataire=par,
                qualite=qualite,
                horodatage=timezone.now(),
                methode_authentification=methode,
                adresse_ip=adresse_ip,
                agent_utilisateur=agent_utilisateur[:500],
                empreinte_contenu=empreinte_contenu(lettre),
                texte_consentement=texte_consentement(lettre, qualite),
            )
            lien = url_absolue(lettre.get_absolute_url())
            if qualite == Signature.Qualite.RUPN:
                lettre = charger_lettre(lettre)  # avec la signature qui vient d'être donnée
                if not lettre.rupn_sans_signature():
                    envoyer_apres_validation(
                        sujet=f"À vous de signer — lettre de mission de {lettre.etablissement.nom}",
                        gabarit="lettres/email/a_signer_direction.txt",
                        contexte={"lettre": lettre, "lien": lien},
                        destinataires=Role.objects.adresses_de_la_direction(lettre.etablissement),
                    )
                return lettre
            fichier = sceller_lettre(lettre, [*lettre.signatures_valides(), signature])
            envoyer_apres_validation(
                sujet=f"Lettre de mission signée et scellée — {lettre.etablissement.nom}",
                gabarit="lettres/email/scellee.txt",
                contexte={"lettre": lettre, "lien": lien},
                destinataires=_adresses_participants(lettre),
            )
            return lettre
    except BaseException:
        if fichier:
            lettre.pdf.storage.delete(fichier)
        raise


def sceller_lettre(lettre, signatures):
    """Rend, scelle et range le PDF final ; la lettre passe « signée et scellée » (et celle qu'elle
    remplace, « remplacée »). Rend le nom du fichier écrit, à effacer si la transaction échoue."""
    octets = pdf_scelle(lettre, signatures)
    nom = f"{lettre.annee.code}/{lettre.etablissement.uai}-{lettre.code_verification}.pdf"
    lettre.pdf.save(nom, ContentFile(octets), save=False)
    lettre.empreinte_pdf = empreinte_fichier(octets)
    lettre.scellee_le = timezone.now()
    lettre.statut = LettreMission.Statut.SCELLEE
    lettre.save(update_fields=["pdf", "empreinte_pdf", "scellee_le", "statut", "modifiee_le"])
    if lettre.remplace_id:
        LettreMission.objects.filter(pk=lettre.remplace_id).update(
            statut=LettreMission.Statut.REMPLACEE, modifiee_le=timezone.now()
        )
    return lettre.pdf.name


@transaction.atomic
def lettre_annuler(*, lettre, motif, par, url_absolue):
    """Annule une lettre scellée, avec un motif envoyé aux participants. Son PDF reste, et la page de
    vérification la dit annulée ; ses désignations peuvent recevoir une nouvelle lettre."""
    motif = motif.strip()
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de l'annulation : il est envoyé aux signataires."})
    if len(motif) > LONGUEUR_MOTIF:
        raise ValidationError({"motif": f"Le motif compte {len(motif)} caractères : {LONGUEUR_MOTIF} au plus."})
    lettre = charger_lettre(lettre)
    if lettre.statut != LettreMission.Statut.SCELLEE:
        raise ValidationError(
            f"Cette lettre est « {lettre.get_statut_display().lower()} » : seule une lettre scellée s'annule."
        )
    lettre.statut = LettreMission.Statut.ANNULEE
    lettre.motif_annulation = motif
    lettre.annulee_le = timezone.now()
    lettre.annulee_par = par
    lettre.save(update_fields=["statut", "motif_annulation", "annulee_le", "annulee_par", "modifiee_le"])
    envoyer_apres_validation(
        sujet=f"Lettre de mission annulée — {lettre.etablissement.nom}",
        gabarit="lettres/email/annulee.txt",
        contexte={"lettre": lettre, "par": par, "lien": url_absolue(lettre.get_absolute_url())},
        destinataires=[adresse for adresse in _adresses_participants(lettre) if adresse != par.email],
    )
    return lettre


@transaction.atomic
def lettre_avenant(*, lettre, par):
    """Crée le brouillon de l'avenant d'une lettre scellée : même modèle, même contenu, mêmes désignations.
    La lettre d'origine reste valable jusqu'au scellement de l'avenant, qui la dit alors remplacée."""
    lettre = charger_lettre(lettre)
    if lettre.statut != LettreMission.Statut.SCELLEE:
        raise ValidationError(
            f"Cette lettre est « {lettre.get_statut_display().lower()} » : seul une lettre scellée reçoit un avenant."
        )
    if LettreMission.objects.filter(remplace=lettre).exists():
        raise ValidationError("Cette lettre a déjà un avenant : modifiez-le plutôt que d'en créer un second.")
    avenant = LettreMission(
        etablissement=lettre.etablissement,
        annee=lettre.annee,
        modele=lettre.modele,
        contenu=lettre.contenu,
        remplace=lettre,
        cree_par=par,
    )
    avenant.full_clean()
    avenant.save()
    avenant.designations.set(lettre.designations.all())
    return avenant
