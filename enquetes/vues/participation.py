"""Pages de l'enquête du côté de l'établissement : le RUPN la remplit étape par étape (enregistrement
automatique, reprise, récapitulatif, envoi) ; la direction lit le compte-rendu, le télécharge en PDF et en
prend connaissance ; l'académie le lit.

Accès : une participation hors du périmètre du rôle actif répond 404 (`Participation.visible_to`). La
saisie n'est qu'au RUPN de la désignation : la direction et l'académie, qui voient la participation (elle
est dans leur périmètre, son compte-rendu leur est lisible), reçoivent 403 sur les pages de saisie.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from enquetes import saisie as services
from enquetes.forms_saisie import CHAMP_PRESENCE, FormulaireEtape
from enquetes.models import Enquete, Participation
from enquetes.services import STATUTS_PARTICIPANTS, participations_creer, rupn_joignable
from lettres.pdf import ErreurRenduPdf
from missions.models import Designation
from missions.views.communs import annee_demandee, annees_proposees
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.territoires.models import AnneeScolaire

logger = logging.getLogger(__name__)


def get_participation_for_user(request, uuid, saisie=False):
    """La participation si le rôle actif la voit (sinon 404) ; pour la saisie, seulement son RUPN (sinon 403)."""
    participation = get_object_or_404(services.pour_lecture(Participation.objects.visible_to(request.user)), uuid=uuid)
    if saisie and not est_son_rupn(request.user, participation):
        raise PermissionDenied(
            "Seul le RUPN de la désignation remplit l'enquête ; son compte-rendu se lit une fois envoyé."
        )
    return participation


def est_son_rupn(user, participation):
    role = getattr(user, "role_actif", None)
    return role is not None and role.type == Role.Type.RUPN and participation.designation.agent_id == user.pk


def _veut_du_json(request):
    return "application/json" in request.headers.get("Accept", "")


# RUPN : mes enquêtes


@role_requis(Role.Type.RUPN)
def mes_enquetes(request):
    """Les participations de la personne (toutes années), et pour ses désignations acceptées de l'année
    l'état de l'enquête de leur académie. Une participation qui manque à une campagne lancée (désignation
    acceptée après le lancement) est créée ici, pour les seules désignations de la personne : elle est due,
    la personne ne doit pas attendre une relance."""
    annee = AnneeScolaire.objects.courante()
    designations = list(
        Designation.objects.filter(agent=request.user, annee=annee, statut__in=STATUTS_PARTICIPANTS)
        .filter(participation__isnull=True)
        .select_related("etablissement")
    )
    en_attente = []
    if designations:
        enquetes = {
            enquete.academie_id: enquete
            for enquete in Enquete.objects.filter(
                annee=annee, academie__in={designation.etablissement.academie_id for designation in designations}
            )
        }
        for enquete in enquetes.values():
            if enquete.lancee:
                participations_creer(enquete, designations=designations)
        en_attente = [
            (designation, enquete)
            for designation in designations
            if not (enquete := enquetes.get(designation.etablissement.academie_id)) or not enquete.lancee
        ]
    participations = [
        (participation, services.pourquoi_non_modifiable(participation))
        for participation in services.participations_de(request.user)
    ]
    return render(
        request,
        "enquetes/saisie/mes_enquetes.html",
        {"annee": annee, "participations": participations, "en_attente": en_attente},
    )


# Le compte-rendu : page commune au RUPN, à la direction et à l'académie


def participation_detail(request, uuid):
    participation = get_participation_for_user(request, uuid)
    return _page_compte_rendu(request, participation)


def _page_compte_rendu(request, participation, *, commentaire="", erreur_commentaire=""):
    rupn = est_son_rupn(request.user, participation)
    raison = services.pourquoi_non_modifiable(participation)
    soumise = participation.statut == Participation.Statut.SOUMISE
    # Envoyé, le compte-rendu se lit tel que figé à l'envoi : la saisie n'est lue que pour son RUPN (ou pour
    # un compte-rendu envoyé avant que l'envoi ne le fige).
    saisie = services.Saisie.de(participation) if rupn or (soumise and participation.compte_rendu is None) else None
    # Le compte-rendu se lit une fois envoyé ; son RUPN le relit aussi quand il ne peut plus écrire.
    lisible = soumise or (rupn and raison and participation.statut != Participation.Statut.A_FAIRE)
    role = request.user.role_actif
    contexte = {
        "participation": participation,
        "designation": participation.designation,
        "enquete": participation.enquete,
        "est_rupn": rupn,
        "modifiable": rupn and not raison,
        "raison": raison,
        "soumise": soumise,
        "saisie": saisie,
        "reprise": saisie.reprise() if saisie else None,
        "etats_etapes": [(etape, saisie.complete(etape)) for etape in saisie.etapes] if saisie else [],
        "compte_rendu": services.compte_rendu(participation, saisie) if lisible else None,
        "peut_prendre_connaissance": soumise
        and participation.lue_le is None
        and role.dirige(participation.designation.etablissement_id),
        "commentaire": commentaire,
        "erreur_commentaire": erreur_commentaire,
        "longueur_commentaire": services.LONGUEUR_COMMENTAIRE,
    }
    return render(
        request, "enquetes/saisie/participation_detail.html", contexte, status=400 if erreur_commentaire else 200
    )


def compte_rendu_pdf(request, uuid):
    """Le PDF du compte-rendu : pour tous ceux qui le lisent une fois envoyé ; pour son RUPN à tout moment
    (un brouillon, marqué comme tel)."""
    participation = get_participation_for_user(request, uuid)
    if participation.statut != Participation.Statut.SOUMISE and not est_son_rupn(request.user, participation):
        messages.info(request, "Le RUPN n'a pas encore envoyé son compte-rendu : il n'a pas de PDF.")
        return redirect(participation)
    try:
        contenu = services.pdf_compte_rendu(participation)
    except ErreurRenduPdf:
        logger.exception("Compte-rendu %s : PDF non produit", participation.uuid)
        messages.error(
            request,
            "Le PDF n'a pas pu être produit, par suite d'un problème technique du service. Le compte-rendu se lit "
            "sur cette page ; réessayez dans quelques minutes.",
        )
        return redirect(participation)
    designation = participation.designation
    nom = slugify(
        f"compte-rendu-{participation.enquete.annee.code}-{designation.etablissement.uai}-{designation.agent}"
    )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.pdf"'
    return reponse


@require_POST
def prendre_connaissance(request, uuid):
    participation = get_participation_for_user(request, uuid)
    if not request.user.role_actif.dirige(participation.designation.etablissement_id):
        raise PermissionDenied("Seule la direction de l'établissement prend connaissance du compte-rendu.")
    commentaire = request.POST.get("commentaire", "")
    try:
        services.participation_prendre_connaissance(
            participation=participation,
            par=request.user,
            commentaire=commentaire,
            url_absolue=request.build_absolute_uri,
        )
    except services.DejaLue:
        messages.info(request, "La prise de connaissance de ce compte-rendu était déjà enregistrée.")
    except ValidationError as erreur:
        if erreur.code == "commentaire":
            return _page_compte_rendu(
                request, participation, commentaire=commentaire, erreur_commentaire=" ".join(erreur.messages)
            )
        messages.error(request, " ".join(erreur.messages))
    else:
        if rupn_joignable(participation.designation):
            messages.success(
                request, "Votre prise de connaissance est enregistrée ; le RUPN en est prévenu par courriel."
            )
        else:
            messages.success(
                request,
                "Votre prise de connaissance est enregistrée. Le RUPN n'a pas de compte actif avec une adresse : "
                "il n'est pas prévenu par courriel, il la verra sur cette page.",
            )
    return redirect(participation)


@role_requis(*Role.TYPES_DIRECTION)
def comptes_rendus(request):
    """Les comptes-rendus des RUPN de l'établissement pour l'année choisie, à lire ou lus."""
    annee = annee_demandee(request)
    participations = (
        Participation.objects.visible_to(request.user)
        .filter(enquete__annee=annee)
        .select_related("designation__agent", "enquete", "lue_par")
        .order_by("designation__agent__last_name", "designation__agent__first_name", "pk")
    )
    return render(
        request,
        "enquetes/saisie/comptes_rendus.html",
        {
            "etablissement": request.user.role_actif.etablissement,
            "annee": annee,
            "annees": annees_proposees(),
            "participations": participations,
        },
    )


# RUPN : saisie


def participation_etape(request, uuid, rang):
    """Une étape (une section) : ses questions, préremplies quand le service connaît la réponse. Un envoi
    enregistre les réponses correctes et signale les autres au niveau de leur champ ; envoyé par
    l'enregistrement automatique (Accept: application/json), il répond en JSON."""
    participation = get_participation_for_user(request, uuid, saisie=True)
    saisie = services.Saisie.de(participation)
    etape = saisie.etape(rang)
    if etape is None:
        return redirect(participation)
    raison = services.pourquoi_non_modifiable(participation)
    formulaire = None
    if request.method == "POST":
        if raison:
            if _veut_du_json(request):
                return JsonResponse({"enregistre": False, "message": raison, "erreurs": {}}, status=409)
            messages.error(request, raison)
            return redirect(participation)
        formulaire = FormulaireEtape(etape.questions, request.POST)
        formulaire.is_valid()
        valeurs = {
            question: formulaire.valeurs[question.pk]
            for question in etape.questions
            if question.pk in formulaire.valeurs
        }
        try:
            participation = services.etape_enregistrer(participation=participation, valeurs=valeurs)
        except ValidationError as erreur:
            if _veut_du_json(request):
                return JsonResponse(
                    {"enregistre": False, "message": " ".join(erreur.messages), "erreurs": {}}, status=409
                )
            messages.error(request, " ".join(erreur.messages))
            return redirect(participation)
        saisie.reponses.update({question.pk: valeur for question, valeur in valeurs.items()})
        if _veut_du_json(request):
            return _reponse_json(participation, etape, formulaire)
        if not formulaire.erreurs:
            return _apres_etape(request, participation, saisie, etape)
        messages.error(
            request,
            "Les autres réponses sont enregistrées ; corrigez "
            + (
                "la réponse signalée"
                if len(formulaire.erreurs) == 1
                else f"les {len(formulaire.erreurs)} réponses signalées"
            )
            + " ci-dessous.",
        )
    return render(
        request,
        "enquetes/saisie/participation_etape.html",
        {
            "participation": participation,
            "enquete": participation.enquete,
            "etape": etape,
            "page_fil": f"Étape {etape.rang} : {etape.section.titre}",
            "nombre": saisie.nombre,
            "suivante": saisie.etape(rang + 1),
            "champs": _champs(saisie, etape, formulaire, desactive=bool(raison)),
            "modifiable": not raison,
            "raison": raison,
            "champ_presence": CHAMP_PRESENCE,
        },
        status=400 if formulaire and formulaire.erreurs else 200,
    )


def _champs(saisie, etape, formulaire, *, desactive):
    """Ce que le gabarit affiche pour chaque question : valeur (saisie refusée, réponse enregistrée ou valeur
    proposée), erreur, proposition."""
    propositions = {} if desactive else saisie.propositions(etape.questions)
    champs = []
    for question in etape.questions:
        proposition = propositions.get(question.pk)
        if formulaire is not None and question.pk in formulaire.saisies:
            valeur = formulaire.saisies[question.pk]
        elif question.pk in saisie.reponses:
            valeur = saisie.reponses[question.pk]
        else:
            valeur = proposition.valeur if proposition else None
        champs.append(
            {
                "question": question,
                "valeur": valeur,
                "erreur": formulaire.erreurs.get(question.pk, "") if formulaire is not None else "",
                "proposition": proposition,
                "texte_proposition": services.texte_reponse(question, proposition.valeur) if proposition else "",
            }
        )
    return champs


def _reponse_json(participation, etape, formulaire):
    heure = timezone.localtime(participation.modifiee_le).strftime("%H:%M")
    erreurs = {
        question.code: formulaire.erreurs[question.pk]
        for question in etape.questions
        if question.pk in formulaire.erreurs
    }
    message = f"Enregistré à {heure}."
    if erreurs:
        message = (
            f"Enregistré à {heure}, sauf "
            + ("une réponse à corriger" if len(erreurs) == 1 else f"{len(erreurs)} réponses à corriger")
            + " : "
            + " ; ".join(erreurs.values())
        )
    return JsonResponse({"enregistre": True, "heure": heure, "message": message, "erreurs": erreurs})


def _apres_etape(request, participation, saisie, etape):
    if request.POST.get("action") == "precedent":
        if etape.rang > 1:
            return redirect(services.url_etape(participation, etape.rang - 1))
        return redirect(participation)
    if saisie.etape(etape.rang + 1):
        return redirect(services.url_etape(participation, etape.rang + 1))
    return redirect("enquetes:participation_recapitulatif", uuid=participation.uuid)


def participation_recapitulatif(request, uuid):
    """Toutes les réponses, section par section ; les questions obligatoires sans réponse, avec un lien vers
    leur étape ; le bouton d'envoi."""
    participation = get_participation_for_user(request, uuid, saisie=True)
    saisie = services.Saisie.de(participation)
    raison = services.pourquoi_non_modifiable(participation)
    return render(
        request,
        "enquetes/saisie/participation_recapitulatif.html",
        {
            "participation": participation,
            "enquete": participation.enquete,
            "sections": saisie.sections_lues(),
            "manquantes": saisie.obligatoires_manquantes(),
            "modifiable": not raison,
            "raison": raison,
        },
    )


@require_POST
def participation_soumettre(request, uuid):
    participation = get_participation_for_user(request, uuid, saisie=True)
    try:
        services.participation_envoyer(
            participation=participation, par=request.user, url_absolue=request.build_absolute_uri
        )
    except services.DejaEnvoyee:
        messages.info(request, "Votre compte-rendu était déjà envoyé : il n'est envoyé qu'une fois.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("enquetes:participation_recapitulatif", uuid=participation.uuid)
    else:
        messages.success(
            request,
            "Votre compte-rendu est envoyé : la direction de l'établissement en est prévenue par courriel. "
            "Il se télécharge en PDF ci-dessous.",
        )
    return redirect(participation)
