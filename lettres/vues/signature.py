"""Signature d'une lettre (RUPN pour accord, puis direction), PDF scellé, annulation et avenant."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lettres import signatures
from lettres.authentification import methode_recente, url_pour_s_authentifier
from lettres.document import empreinte_contenu
from lettres.models import LettreMission
from lettres.pdf import ErreurRenduPdf
from lettres.sceau import SceauIndisponible
from lettres.vues.redaction import direction_requise, get_lettre_for_user
from rupn.reseau import adresse_ip_client

logger = logging.getLogger(__name__)


def lettre_signer(request, uuid):
    """Page de signature : le texte, la phrase de consentement à cocher, le bouton. Une authentification
    récente est exigée pour l'afficher comme pour signer ; sinon, détour par la page d'authentification."""
    lettre = get_lettre_for_user(request, uuid)
    qualite = signatures.qualite_de(lettre, request.user)
    if qualite is None:
        raise PermissionDenied("Seuls les RUPN de la lettre et la direction de l'établissement la signent.")
    if not lettre.peut_signer(request.user):
        messages.info(request, _pourquoi_pas(lettre, request.user))
        return redirect(lettre)
    methode = methode_recente(request)
    if methode is None:
        if request.method == "POST":
            messages.warning(request, "Votre authentification date de plus de quelques minutes : rien n'est signé.")
        messages.info(
            request, "Pour signer, confirmez votre identité : la signature suit dans les minutes qui viennent."
        )
        return redirect(url_pour_s_authentifier(request, request.path))
    consentement = signatures.texte_consentement(lettre, qualite)
    erreur_consentement = ""
    if request.method == "POST":
        if request.POST.get("consentement") != "oui":
            erreur_consentement = "Cochez la phrase de consentement pour signer."
        else:
            reponse = _signer(request, lettre, methode)
            if reponse:
                return reponse
    return render(
        request,
        "lettres/lettre_signer.html",
        {
            "lettre": lettre,
            "qualite": qualite,
            "consentement": consentement,
            "empreinte": empreinte_contenu(lettre),
            "erreur_consentement": erreur_consentement,
            "rupn": lettre.rupn(),
        },
        status=400 if erreur_consentement else 200,
    )


def _signer(request, lettre, methode):
    """Signe ; rend la redirection vers la lettre, ou None pour réafficher la page (erreur annoncée)."""
    try:
        lettre = signatures.lettre_signer(
            lettre=lettre,
            empreinte=request.POST.get("empreinte", ""),
            par=request.user,
            methode=methode,
            adresse_ip=adresse_ip_client(request),
            agent_utilisateur=request.headers.get("User-Agent", ""),
            url_absolue=request.build_absolute_uri,
        )
    except signatures.DejaSignee:
        messages.info(request, "Vous aviez déjà signé cette lettre : votre signature est enregistrée une fois.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    except (ErreurRenduPdf, SceauIndisponible):
        # Le détail (chemin du certificat, ressource refusée) est pour l'exploitation, pas pour la page.
        logger.exception("Lettre %s : PDF final non produit", lettre.uuid)
        messages.error(
            request,
            "La lettre n'a pas pu être mise en PDF et scellée, par suite d'un problème technique du service. "
            "Votre signature n'est pas enregistrée et rien n'a changé ; réessayez dans quelques minutes, et si "
            "l'erreur persiste, prévenez la DANE.",
        )
        return None
    else:
        if lettre.statut == LettreMission.Statut.SCELLEE:
            messages.success(
                request,
                "Vous avez signé : la lettre est scellée par l'académie. Son PDF se télécharge ci-dessous ; "
                "chaque signataire en est prévenu par courriel.",
            )
        elif lettre.rupn_sans_signature():
            messages.success(request, "Vous avez signé pour accord ; la lettre attend la signature des autres RUPN.")
        else:
            messages.success(
                request, "Vous avez signé pour accord. La direction est prévenue : c'est à elle de signer."
            )
    return redirect(lettre)


def _pourquoi_pas(lettre, user):
    if lettre.statut != LettreMission.Statut.SIGNATURE:
        return f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle ne se signe pas maintenant."
    if lettre.a_signe(user):
        return "Vous avez déjà signé cette lettre."
    attendus = ", ".join(str(personne) for personne in lettre.rupn_sans_signature())
    return f"La direction signe après chaque RUPN. Attendent encore de signer pour accord : {attendus}."


def lettre_pdf(request, uuid):
    """Le PDF signé et scellé, pour qui voit la lettre."""
    lettre = get_lettre_for_user(request, uuid)
    if not lettre.pdf:
        raise Http404("Cette lettre n'a pas encore de PDF signé.")
    nom = f"lettre-de-mission-{lettre.annee.code}-{lettre.etablissement.uai}-{lettre.code_verification}.pdf"
    return FileResponse(lettre.pdf.open("rb"), content_type="application/pdf", as_attachment=True, filename=nom)


@direction_requise
def lettre_annuler(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    if not lettre.peut_annuler(request.user):
        if lettre.avenant_en_cours() is not None:
            messages.info(request, "Un avenant à cette lettre est en cours : c'est lui qu'il faut abandonner.")
        else:
            messages.info(
                request, f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle ne s'annule pas."
            )
        return redirect(lettre)
    scellee = lettre.statut == LettreMission.Statut.SCELLEE
    erreurs = []
    if request.method == "POST":
        try:
            signatures.lettre_annuler(
                lettre=lettre,
                motif=request.POST.get("motif", ""),
                par=request.user,
                url_absolue=request.build_absolute_uri,
            )
        except ValidationError as erreur:
            erreurs = erreur.messages
        else:
            if scellee:
                succes = "La lettre est annulée ; la page de vérification publique la dit annulée."
            elif lettre.remplace_id:
                succes = "L'avenant est abandonné ; la lettre qu'il devait remplacer reste en vigueur."
            else:
                succes = "La lettre est abandonnée."
            messages.success(
                request,
                f"{succes} Les signataires et les participants sont prévenus par courriel."
                + ("" if lettre.remplace_id else " Ses désignations peuvent recevoir une nouvelle lettre."),
            )
            return redirect(lettre)
    return render(
        request,
        "lettres/lettre_annuler.html",
        {
            "lettre": lettre,
            "scellee": scellee,
            "erreurs": erreurs,
            "motif": request.POST.get("motif", ""),
            "longueur": signatures.LONGUEUR_MOTIF,
        },
        status=400 if erreurs else 200,
    )


@require_POST
@direction_requise
def lettre_avenant(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    try:
        avenant = signatures.lettre_avenant(lettre=lettre, par=request.user)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect(lettre)
    messages.success(
        request,
        "L'avenant est créé à partir de la lettre scellée, qui reste valable jusqu'à ce que l'avenant soit signé "
        "et scellé. Modifiez-le, puis envoyez-le en relecture.",
    )
    return redirect("lettres:lettre_modifier", uuid=avenant.uuid)
