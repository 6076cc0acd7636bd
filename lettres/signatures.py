"""Signatures, scellement, annulation et avenant d'une lettre de mission.

Ordre : chaque RUPN signe pour accord, puis la direction (chef, ou adjoint par délégation). Chacun
signe le contenu qu'il a sous les yeux, désigné par son empreinte (`document.empreinte_contenu`) : si la
lettre a changé depuis, même hors de sa rédaction (fin de mission, nom d'un référent), rien n'est signé et
les signatures données sur l'ancien contenu sont annulées. La signature de la direction déclenche le rendu
du PDF final et son sceau, dans la même transaction : si le rendu ou le sceau échoue, la signature n'est
pas enregistrée, aucun fichier ne reste, et la direction peut signer de nouveau.
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from lettres.document import empreinte_contenu, empreinte_fichier, pdf_scelle, url_verification
from lettres.models import LettreMission, Signature
from lettres.services import a_couvrir, annuler_signatures
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.courriels import envoyer_apres_validation

LONGUEUR_MOTIF = 2000
# Les états d'une désignation qu'une lettre peut encore porter à la signature (une mission terminée
# en cours d'année garde sa lettre).
COUVERTES = {Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE, Designation.Statut.TERMINEE}


class DejaSignee(Exception):
    """La personne avait déjà signé cette lettre (double clic) : rien de nouveau."""


def texte_consentement(lettre, qualite):
    """La phrase que la personne coche pour signer ; enregistrée telle quelle avec sa signature."""
    article = "l'avenant à la" if lettre.remplace_id else "la"
    objet = (
        f"{article} lettre de mission {lettre.annee} de l'établissement "
        f"{lettre.etablissement.nom} (révision {lettre.revision}, empreinte {empreinte_contenu(lettre)[:12]}…)"
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


def _adresses_participants(lettre):
    return [*Role.objects.adresses_de_la_direction(lettre.etablissement), *(p.email for p in lettre.rupn())]


@transaction.atomic
def annuler_signatures_perimees(lettre, url_absolue):
    """Annule (et l'annonce aux signataires) les signatures données sur un contenu qui n'est plus celui de la
    lettre : une désignation a changé depuis (période, reconnaissance, nom de la personne). Rend la lettre."""
    lettre = charger_lettre(lettre)
    if lettre.statut != LettreMission.Statut.SIGNATURE:
        return lettre  # une lettre scellée garde ses signatures : le PDF fait foi
    empreinte = empreinte_contenu(lettre)
    perimees = [signature for signature in lettre.signatures_valides() if signature.empreinte_contenu != empreinte]
    if perimees:
        annuler_signatures(
            lettre,
            perimees,
            raison="une désignation de la lettre a changé (période, reconnaissance ou nom d'un référent)",
            url_absolue=url_absolue,
        )
        lettre = charger_lettre(lettre)
    return lettre


def _controler(lettre, par, empreinte):
    """La qualité en laquelle `par` signe maintenant ; `ValidationError` si ce n'est pas possible."""
    if lettre.statut != LettreMission.Statut.SIGNATURE:
        raise ValidationError(f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle ne se signe pas.")
    if empreinte != empreinte_contenu(lettre):
        raise ValidationError(
            "La lettre a changé depuis que vous l'avez ouverte (texte, ou période, reconnaissance ou nom d'un "
            "référent) : rien n'est signé. Relisez-la avant de la signer."
        )
    ecartees = [d for d in lettre.designations.all() if d.statut not in COUVERTES]
    if ecartees:
        raise ValidationError(
            "La lettre porte une désignation qui n'est plus en cours ("
            + ", ".join(f"{d.agent} : {d.get_statut_display().lower()}" for d in ecartees)
            + ") : elle ne peut plus être signée. La direction l'abandonne et en rédige une nouvelle."
        )
    qualite = qualite_de(lettre, par)
    if qualite is None:
        raise ValidationError("Seuls les RUPN de la lettre et la direction de l'établissement la signent.")
    if qualite != Signature.Qualite.RUPN and (attendus := lettre.rupn_sans_signature()):
        raise ValidationError(
            "La direction signe après chaque RUPN. Attendent encore de signer pour accord : "
            f"{', '.join(str(personne) for personne in attendus)}."
        )
    return qualite


def lettre_signer(*, lettre, empreinte, par, methode, adresse_ip, agent_utilisateur, url_absolue):
    """Enregistre la signature de `par` sur le contenu d'empreinte `empreinte` (celui qu'il a lu) ; rend la
    lettre relue (scellée si c'était la dernière signature).

    Lève `DejaSignee` si la personne avait déjà signé (double clic), `ValidationError` si ce n'est pas son
    tour ou si la lettre a changé, `ErreurRenduPdf` ou `SceauIndisponible` si le PDF final n'a pu être
    produit : rien n'est alors écrit, ni ligne ni fichier."""
    lettre = annuler_signatures_perimees(lettre, url_absolue)
    fichier, validee = None, []
    try:
        with transaction.atomic():
            lettre = charger_lettre(lettre)
            if lettre.a_signe(par):
                raise DejaSignee
            qualite = _controler(lettre, par, empreinte)
            signature = Signature.objects.create(
                lettre=lettre,
                signataire=par,
                qualite=qualite,
                horodatage=timezone.now(),
                methode_authentification=methode,
                adresse_ip=adresse_ip,
                agent_utilisateur=agent_utilisateur[:500],
                empreinte_contenu=empreinte,
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
            # Le premier rappel après la validation : le fichier appartient dès lors à la lettre enregistrée.
            transaction.on_commit(lambda: validee.append(True))
            envoyer_apres_validation(
                sujet=f"Lettre de mission signée et scellée — {lettre.etablissement.nom}",
                gabarit="lettres/email/scellee.txt",
                contexte={"lettre": lettre, "lien": lien},
                destinataires=_adresses_participants(lettre),
            )
            return lettre
    except BaseException:
        if fichier and not validee:
            lettre.pdf.storage.delete(fichier)
        raise


def charger_lettre(lettre):
    """Relit la lettre sous verrou, avec ses désignations et ses signatures (deux clics ne signent qu'une fois)."""
    LettreMission.objects.select_for_update(of=("self",)).filter(pk=lettre.pk).values_list("pk").get()
    return LettreMission.objects.pour_lecture().get(pk=lettre.pk)


def sceller_lettre(lettre, signatures):
    """Rend, scelle et range le PDF final ; la lettre passe « signée et scellée » (et celle qu'elle
    remplace, « remplacée »). Rend le nom du fichier écrit, à effacer si la transaction échoue."""
    if lettre.remplace_id:
        # La lettre d'origine, sous verrou : elle doit être encore en vigueur pour être remplacée.
        remplacee = LettreMission.objects.filter(pk=lettre.remplace_id, statut=LettreMission.Statut.SCELLEE).update(
            statut=LettreMission.Statut.REMPLACEE, modifiee_le=timezone.now()
        )
        if not remplacee:
            raise ValidationError(
                "La lettre que cet avenant remplace n'est plus en vigueur (annulée entre-temps) : il ne peut pas "
                "être scellé. Abandonnez-le et rédigez une nouvelle lettre."
            )
    octets = pdf_scelle(lettre, signatures)
    nom = f"{lettre.annee.code}/{lettre.etablissement.uai}-{lettre.code_verification}.pdf"
    lettre.pdf.save(nom, ContentFile(octets), save=False)
    lettre.empreinte_pdf = empreinte_fichier(octets)
    lettre.scellee_le = timezone.now()
    lettre.statut = LettreMission.Statut.SCELLEE
    lettre.save(update_fields=["pdf", "empreinte_pdf", "scellee_le", "statut", "modifiee_le"])
    return lettre.pdf.name


@transaction.atomic
def lettre_annuler(*, lettre, motif, par, url_absolue):
    """Annule une lettre scellée, ou abandonne une lettre pas encore scellée, avec un motif envoyé à ses
    signataires et participants. Le PDF d'une lettre scellée reste, et la page de vérification la dit
    annulée ; ses désignations peuvent recevoir une nouvelle lettre. Une lettre dont un avenant est en cours
    ne s'annule pas : c'est l'avenant qu'il faut abandonner ou mener à terme."""
    motif = motif.strip()
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de l'annulation : il est envoyé aux signataires."})
    if len(motif) > LONGUEUR_MOTIF:
        raise ValidationError({"motif": f"Le motif compte {len(motif)} caractères : {LONGUEUR_MOTIF} au plus."})
    lettre = charger_lettre(lettre)
    if lettre.statut not in {*LettreMission.STATUTS_MODIFIABLES, LettreMission.Statut.SCELLEE}:
        raise ValidationError(f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle ne s'annule pas.")
    if lettre.avenant_en_cours() is not None:
        raise ValidationError(
            "Un avenant à cette lettre est en cours : abandonnez-le, ou menez-le à son terme, avant d'annuler la "
            "lettre."
        )
    signataires = [signature.signataire.email for signature in lettre.signatures_valides()]
    lettre.statut = LettreMission.Statut.ANNULEE
    lettre.motif_annulation = motif
    lettre.annulee_le = timezone.now()
    lettre.annulee_par = par
    lettre.save(update_fields=["statut", "motif_annulation", "annulee_le", "annulee_par", "modifiee_le"])
    envoyer_apres_validation(
        sujet=f"Lettre de mission annulée — {lettre.etablissement.nom}",
        gabarit="lettres/email/annulee.txt",
        contexte={
            "lettre": lettre,
            "par": par,
            "lien": url_verification(lettre) if lettre.scellee_le else url_absolue(lettre.get_absolute_url()),
        },
        destinataires=[a for a in {*signataires, *_adresses_participants(lettre)} if a != par.email],
    )
    return lettre


@transaction.atomic
def lettre_avenant(*, lettre, par):
    """Crée le brouillon de l'avenant d'une lettre scellée : même modèle, même contenu, et celles de ses
    désignations qui sont encore en cours. La lettre d'origine reste valable jusqu'au scellement de
    l'avenant, qui la dit alors remplacée."""
    lettre = charger_lettre(lettre)
    if lettre.statut != LettreMission.Statut.SCELLEE:
        raise ValidationError(
            f"Cette lettre est « {lettre.get_statut_display().lower()} » : seule une lettre scellée reçoit un avenant."
        )
    if lettre.avenant_en_cours() is not None:
        raise ValidationError("Cette lettre a déjà un avenant en cours : modifiez-le plutôt que d'en créer un second.")
    designations = list(a_couvrir(lettre.designations.all()))
    if not designations:
        raise ValidationError(
            "Aucune des désignations de cette lettre n'est encore acceptée ou validée : un avenant n'aurait "
            "personne à qui confier des missions. Rédigez plutôt la lettre d'une nouvelle désignation."
        )
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
    avenant.designations.set(designations)
    return avenant
