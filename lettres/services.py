"""Écritures des lettres de mission : une fonction par action, une transaction chacune."""

import copy
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from lettres.modele_par_defaut import BLOCS, LONGUEUR_LIGNE, LONGUEUR_TEXTE, NOMBRE_MAX, valider_contenu
from lettres.models import Approbation, Commentaire, LettreMission, ModeleLettre, Signature
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.courriels import envoyer_apres_validation
from rupn.territoires.models import Academie


@transaction.atomic
def modele_enregistrer(*, academie, contenu, par, commentaire="", depuis=None):
    """Enregistre la version suivante du modèle de lettre de l'académie ; rend (version, créée).

    Un contenu identique à la version courante n'en crée pas de nouvelle : rend (courante, False).
    `depuis` : le numéro de la version que la personne avait sous les yeux ; si une autre version a été
    enregistrée entre-temps, rien n'est enregistré (on n'efface pas sans le savoir le travail d'un collègue).
    """
    valider_contenu(contenu)
    # Le verrou sur l'académie range les enregistrements simultanés l'un après l'autre : chacun lit la
    # dernière version de l'autre et prend le numéro suivant.
    Academie.objects.select_for_update().get(pk=academie.pk)
    courant = ModeleLettre.objects.courant(academie)
    if depuis is not None and depuis != courant.version:
        raise ValidationError(
            f"La version {courant.version} du modèle a été enregistrée pendant que vous modifiiez la version "
            f"{depuis} : relisez-la (historique ci-dessous), puis enregistrez à nouveau ; vos saisies sont conservées."
        )
    if contenu == courant.contenu:
        return courant, False
    modele = ModeleLettre(
        academie=academie, version=courant.version + 1, contenu=contenu, cree_par=par, commentaire=commentaire.strip()
    )
    modele.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            modele.save()
    except IntegrityError:
        # Dernier rempart si le verrou n'a pas joué : la contrainte d'unicité (académie, version).
        raise ValidationError(
            f"Une autre personne vient d'enregistrer la version {modele.version} du modèle : rechargez la page "
            "pour la voir, puis enregistrez à nouveau vos modifications."
        ) from None
    return modele, True


# --- Lettres de mission : rédaction et relecture ----------------------------------------------------
#
# Le contenu d'une lettre reprend la forme du modèle (lettres/modele_par_defaut.py), axe par axe :
#
#     "missions": [{"texte": str, "retenue": bool, "principale": bool}],  # les missions suggérées du modèle
#     "missions_propres": [{"texte": str, "principale": bool}],           # celles qu'ajoute l'établissement
#     "indicateurs": [str],                                              # arrêtés avec le RUPN
#
# Le préambule et les titres des axes restent ceux du modèle ; moyens, formation et suivi sont modifiables.
# La reconnaissance et la période ne sont pas dans le contenu : elles viennent des désignations.

BLOCS_MODIFIABLES = ("moyens", "formation", "suivi")


class ConflitRevision(ValidationError):
    """La lettre a été enregistrée par quelqu'un d'autre depuis que la personne l'a ouverte."""

    def __init__(self, lettre, revision_lue):
        super().__init__(
            f"La lettre a été modifiée le {timezone.localtime(lettre.modifiee_le):%d/%m/%Y à %H:%M} pendant que "
            f"vous la modifiiez (votre saisie partait de la révision {revision_lue}, la lettre en est à la "
            f"révision {lettre.revision}) : rien n'a été enregistré. Votre saisie est conservée dans le formulaire "
            "et la version actuelle est affichée à côté ; reportez-y vos changements, puis enregistrez : votre "
            "saisie remplacera alors la version actuelle."
        )


def contenu_depuis_modele(contenu_modele):
    """Le contenu d'une nouvelle lettre : une copie du modèle où aucune mission suggérée n'est encore retenue."""
    contenu = copy.deepcopy(contenu_modele)
    for axe in contenu["axes"]:
        axe["missions"] = [{"texte": texte, "retenue": False, "principale": False} for texte in axe["missions"]]
        axe["missions_propres"] = []
    return contenu


def _trop_long(sujet, texte, maximum):
    return f"{sujet} compte {len(texte)} caractères : {maximum} au plus."


def erreurs_contenu_lettre(contenu):
    """Les erreurs de saisie d'un contenu de lettre (longueurs, nombres, doublons), rangées sous les noms
    des champs du formulaire de rédaction (`axe_2_indicateurs`, `axe_2_ajout_principales`, `moyens`…)."""
    erreurs = {}
    for cle in BLOCS_MODIFIABLES:
        if len(contenu[cle]) > LONGUEUR_TEXTE:
            erreurs[cle] = [_trop_long(f"Le bloc « {BLOCS[cle]} »", contenu[cle], LONGUEUR_TEXTE)]
    for axe in contenu["axes"]:
        code = axe["code"]
        suggerees = {mission["texte"] for mission in axe["missions"]}
        principales = [mission["texte"] for mission in axe["missions_propres"] if mission["principale"]]
        secondaires = [mission["texte"] for mission in axe["missions_propres"] if not mission["principale"]]
        for lignes, champ in ((principales, "principales"), (secondaires, "secondaires")):
            messages = _erreurs_lignes(lignes, f"Axe {code}, mission ajoutée")
            messages += [
                f"« {texte} » est déjà une mission suggérée de l'axe {code} : retenez-la plus haut."
                for texte in sorted(suggerees.intersection(lignes))
            ]
            if champ == "secondaires":
                messages += [
                    f"« {texte} » est à la fois principale et secondaire : gardez-la dans une seule des deux listes."
                    for texte in sorted(set(principales).intersection(secondaires))
                ]
            if messages:
                erreurs[f"axe_{code}_ajout_{champ}"] = messages
        if len(axe["missions_propres"]) > NOMBRE_MAX["missions"]:
            erreurs.setdefault(f"axe_{code}_ajout_principales", []).append(
                f"Axe {code} : {len(axe['missions_propres'])} missions ajoutées, {NOMBRE_MAX['missions']} au plus."
            )
        messages = _erreurs_lignes(axe["indicateurs"], f"Axe {code}, indicateur")
        if len(axe["indicateurs"]) > NOMBRE_MAX["indicateurs"]:
            messages.append(f"Axe {code} : {len(axe['indicateurs'])} indicateurs, {NOMBRE_MAX['indicateurs']} au plus.")
        if messages:
            erreurs[f"axe_{code}_indicateurs"] = messages
    return erreurs


def _erreurs_lignes(lignes, sujet):
    messages = []
    for rang, ligne in enumerate(lignes, start=1):
        if len(ligne) > LONGUEUR_LIGNE:
            messages.append(
                f"{sujet} {rang} : {len(ligne)} caractères, {LONGUEUR_LIGNE} au plus ; raccourcissez-la ou "
                "scindez-la en deux lignes."
            )
    for ligne in sorted({ligne for ligne in lignes if lignes.count(ligne) > 1}):
        messages.append(f"« {ligne} » figure deux fois.")
    return messages


def _verrouiller(lettre, *statuts_permis, action):
    """Relit la lettre sous verrou : deux clics ou deux personnes ne font pas deux transitions."""
    lettre = (
        LettreMission.objects.select_for_update(of=("self",))
        .select_related("etablissement__academie", "annee")
        .get(pk=lettre.pk)
    )
    if lettre.statut not in statuts_permis:
        raise ValidationError(f"Cette lettre est « {lettre.get_statut_display().lower()} » : on ne peut plus {action}.")
    return lettre


def _adresses_rupn(lettre):
    return list(lettre.designations.values_list("agent__email", flat=True))


def a_couvrir(designations):
    """Les désignations qu'une lettre de mission couvre : acceptées par la personne, validées ou non par la DANE."""
    return designations.filter(statut__in=Designation.STATUTS_EN_POSTE)


def sans_lettre(designations):
    """Celles des désignations à couvrir qu'aucune lettre en effet ne tient (une lettre annulée, ou remplacée
    par un avenant, ne compte pas)."""
    return a_couvrir(designations).exclude(Exists(LettreMission.objects.en_effet().filter(designations=OuterRef("pk"))))


def designations_sans_lettre(etablissement, annee):
    """Les désignations de l'établissement et de l'année qui attendent leur lettre de mission."""
    return (
        sans_lettre(Designation.objects.filter(etablissement=etablissement, annee=annee))
        .select_related("agent", "taux", "annee")
        .order_by("debut", "agent__last_name", "agent__first_name")
    )


@transaction.atomic
def lettre_creer(*, etablissement, annee, designations, par):
    """Crée le brouillon de la lettre de l'année pour ces désignations, à partir du modèle courant de l'académie."""
    pks = [designation.pk for designation in designations]
    if not pks:
        raise ValidationError({"designations": "Cochez au moins une désignation : la lettre est rédigée pour elle."})
    # Le verrou sur les désignations range deux créations simultanées l'une après l'autre : la seconde
    # voit que la première a déjà pris les désignations.
    list(Designation.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk").values_list("pk"))
    if designations_sans_lettre(etablissement, annee).filter(pk__in=pks).count() != len(set(pks)):
        raise ValidationError(
            {
                "designations": "Une des désignations cochées a déjà sa lettre de mission, ou n'est plus acceptée : "
                "rechargez la page pour voir celles qui restent."
            }
        )
    modele = ModeleLettre.objects.courant(etablissement.academie)
    lettre = LettreMission(
        etablissement=etablissement,
        annee=annee,
        modele=modele,
        contenu=contenu_depuis_modele(modele.contenu),
        cree_par=par,
    )
    lettre.full_clean()
    lettre.save()
    lettre.designations.set(pks)
    return lettre


def _partie_du_modele(contenu):
    """Ce que la rédaction ne change pas : le préambule, les axes et leurs missions suggérées."""
    return contenu["preambule"], [
        (axe["code"], axe["titre"], [mission["texte"] for mission in axe["missions"]]) for axe in contenu["axes"]
    ]


@dataclass(frozen=True)
class Modification:
    lettre: LettreMission
    enregistree: bool = False  # False : le contenu envoyé était celui de la lettre, rien n'a changé
    statut_precedent: str = ""  # l'état quitté quand la modification fait repasser la lettre en brouillon
    signataires_prevenus: tuple = ()


@transaction.atomic
def lettre_modifier(*, lettre, contenu, revision, par, url_absolue):
    """Enregistre le contenu modifié par la direction ; rend une `Modification`.

    `revision` : celle que la personne avait sous les yeux ; si la lettre a été enregistrée depuis, rien
    n'est écrit (`ConflitRevision`). Une lettre en relecture ou à signer repasse en brouillon ; les
    signatures déjà données sont annulées et leurs signataires prévenus.
    """
    lettre = _verrouiller(lettre, *LettreMission.STATUTS_MODIFIABLES, action="la modifier")
    if revision != lettre.revision:
        raise ConflitRevision(lettre, revision)
    if _partie_du_modele(contenu) != _partie_du_modele(lettre.contenu):
        raise ValidationError(
            "Le préambule, les titres des axes et les missions suggérées viennent du modèle de l'académie : "
            "ils ne se modifient pas dans la lettre."
        )
    if erreurs := erreurs_contenu_lettre(contenu):
        raise ValidationError(erreurs)
    if contenu == lettre.contenu:
        return Modification(lettre)
    statut_precedent = lettre.statut
    lettre.contenu = contenu
    lettre.revision += 1
    lettre.statut = LettreMission.Statut.BROUILLON
    lettre.full_clean()
    lettre.save(update_fields=["contenu", "revision", "statut", "modifiee_le"])
    signataires = annuler_signatures(
        lettre,
        list(lettre.signatures.filter(annulee_le__isnull=True).select_related("signataire")),
        raison=f"{par} a modifié la lettre",
        url_absolue=url_absolue,
    )
    return Modification(
        lettre,
        enregistree=True,
        statut_precedent=statut_precedent if statut_precedent != LettreMission.Statut.BROUILLON else "",
        signataires_prevenus=tuple(signataires),
    )


def annuler_signatures(lettre, signatures, *, raison, url_absolue):
    """Annule ces signatures, qui portaient sur un contenu qui n'est plus celui de la lettre, et prévient
    chaque signataire. `raison` : ce qui a changé, en une phrase (« Marc Lefèvre a modifié la lettre »)."""
    maintenant = timezone.now()
    Signature.objects.filter(pk__in=[signature.pk for signature in signatures]).update(annulee_le=maintenant)
    for signature in signatures:
        envoyer_apres_validation(
            sujet=f"Votre signature est annulée — lettre de mission de {lettre.etablissement.nom}",
            gabarit="lettres/email/signature_annulee.txt",
            contexte={
                "lettre": lettre,
                "signature": signature,
                "raison": raison,
                "le": maintenant,
                "lien": url_absolue(lettre.get_absolute_url()),
            },
            destinataires=[signature.signataire.email],
        )
    return [signature.signataire for signature in signatures]


def _verifier_revision(lettre, revision, action):
    if revision != lettre.revision:
        raise ValidationError(
            f"La lettre a été modifiée depuis que vous l'avez ouverte (révision {lettre.revision}, vous lisiez la "
            f"révision {revision}) : relisez-la avant de {action}."
        )


@transaction.atomic
def lettre_envoyer(*, lettre, revision, par, url_absolue):
    """La direction envoie le brouillon en relecture à ses RUPN ; rend (lettre, envoyée).

    Un second envoi de la même révision (double clic) ne fait rien : rend (lettre, False)."""
    lettre = _verrouiller(
        lettre, LettreMission.Statut.BROUILLON, LettreMission.Statut.RELECTURE, action="l'envoyer en relecture"
    )
    _verifier_revision(lettre, revision, "l'envoyer")
    if lettre.statut == LettreMission.Statut.RELECTURE:
        return lettre, False
    if not lettre.nombre_de_missions():
        raise ValidationError(
            "La lettre ne retient encore aucune mission : modifiez-la pour choisir ses missions principales et "
            "secondaires, puis envoyez-la."
        )
    lettre.statut = LettreMission.Statut.RELECTURE
    lettre.save(update_fields=["statut", "modifiee_le"])
    envoyer_apres_validation(
        sujet=f"Relecture demandée — lettre de mission de {lettre.etablissement.nom}",
        gabarit="lettres/email/relecture.txt",
        contexte={"lettre": lettre, "par": par, "lien": url_absolue(lettre.get_absolute_url())},
        destinataires=_adresses_rupn(lettre),
    )
    return lettre, True


LONGUEUR_COMMENTAIRE = 4000


@transaction.atomic
def lettre_commenter(*, lettre, texte, par, url_absolue):
    """Ajoute un message au fil de relecture (sur la révision courante) et prévient les autres participants."""
    lettre = _verrouiller(lettre, *LettreMission.STATUTS_MODIFIABLES, action="la commenter")
    texte = texte.strip()
    if not texte:
        raise ValidationError({"texte": "Écrivez votre commentaire avant de l'envoyer."})
    if len(texte) > LONGUEUR_COMMENTAIRE:
        raise ValidationError({"texte": _trop_long("Le commentaire", texte, LONGUEUR_COMMENTAIRE)})
    commentaire = Commentaire(lettre=lettre, auteur=par, texte=texte, revision=lettre.revision)
    commentaire.full_clean()
    commentaire.save()
    envoyer_apres_validation(
        sujet=f"Nouveau commentaire — lettre de mission de {lettre.etablissement.nom}",
        gabarit="lettres/email/commentaire.txt",
        contexte={"lettre": lettre, "commentaire": commentaire, "lien": url_absolue(lettre.get_absolute_url())},
        destinataires=[
            adresse
            for adresse in [*Role.objects.adresses_de_la_direction(lettre.etablissement), *_adresses_rupn(lettre)]
            if adresse != par.email
        ],
    )
    return commentaire


@transaction.atomic
def lettre_approuver(*, lettre, revision, par, url_absolue):
    """Un RUPN de la lettre approuve la révision en relecture ; rend (lettre, approbation nouvelle).

    Quand tous ses RUPN ont approuvé la révision courante, la lettre est à signer et la direction en est
    prévenue. Un double clic n'approuve qu'une fois."""
    lettre = (
        LettreMission.objects.select_for_update(of=("self",))
        .select_related("etablissement__academie", "annee")
        .get(pk=lettre.pk)
    )
    if Approbation.objects.filter(lettre=lettre, rupn=par, revision=revision).exists():
        return lettre, False
    if lettre.statut != LettreMission.Statut.RELECTURE:
        raise ValidationError(
            f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle n'attend pas votre approbation."
        )
    _verifier_revision(lettre, revision, "l'approuver")
    rupn = set(lettre.designations.values_list("agent_id", flat=True))
    if par.pk not in rupn:
        raise ValidationError("Seuls les RUPN que la lettre désigne l'approuvent.")
    Approbation.objects.create(lettre=lettre, rupn=par, revision=revision)
    approuve = set(lettre.approbations.filter(revision=revision).values_list("rupn_id", flat=True))
    if rupn <= approuve:
        lettre.statut = LettreMission.Statut.SIGNATURE
        lettre.save(update_fields=["statut", "modifiee_le"])
        envoyer_apres_validation(
            sujet=f"Lettre de mission prête à signer — {lettre.etablissement.nom}",
            gabarit="lettres/email/a_signer.txt",
            contexte={"lettre": lettre, "lien": url_absolue(lettre.get_absolute_url())},
            destinataires=[*Role.objects.adresses_de_la_direction(lettre.etablissement), *_adresses_rupn(lettre)],
        )
    return lettre, True
