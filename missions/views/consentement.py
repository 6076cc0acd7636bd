"""Pages de la personne désignée : ses désignations, son accord ou son refus (connectée ou par le lien reçu)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from missions import services
from missions.forms import AccordForm, RefusForm
from missions.models import Designation


def mes_designations(request):
    designations = Designation.objects.filter(agent=request.user).avec_donnees_liste().order_by("-annee__debut")
    return render(
        request,
        "missions/mes_designations.html",
        {
            "en_attente": [d for d in designations if d.statut == Designation.Statut.PROPOSEE],
            "designations": designations,
        },
    )


def _ma_designation(request, uuid):
    """Une désignation de la personne connectée ; celles des autres n'existent pas pour elle (404)."""
    return get_object_or_404(Designation.objects.avec_donnees_liste(), uuid=uuid, agent=request.user)


def _repondre(formulaire, appliquer):
    """`appliquer(donnees)` enregistre la réponse si le formulaire est valide ; rend True en cas de succès,
    sinon le formulaire porte l'erreur."""
    if not formulaire.is_valid():
        return False
    try:
        appliquer(formulaire.cleaned_data)
    except ValidationError as erreur:
        formulaire.add_error(None, erreur)
        return False
    return True


def _accepter(request, designation, formulaire):
    return _repondre(
        formulaire,
        lambda donnees: services.designation_accepter(
            designation=designation,
            par=designation.agent,
            url_absolue=request.build_absolute_uri,
            mot_de_passe=donnees.get("mot_de_passe"),
        ),
    )


def _refuser(request, designation, formulaire):
    return _repondre(
        formulaire,
        lambda donnees: services.designation_refuser(
            designation=designation,
            par=designation.agent,
            motif=donnees["motif"],
            url_absolue=request.build_absolute_uri,
        ),
    )


def _message_accord(designation):
    return (
        f"Merci : vous êtes RUPN de {designation.etablissement.nom} pour {designation.annee}. "
        f"La direction de l'établissement en est informée ; la {designation.etablissement.academie.libelle_service} "
        "validera la désignation."
    )


@require_POST
def designation_accepter(request, uuid):
    designation = _ma_designation(request, uuid)
    formulaire = AccordForm(request.POST, agent=designation.agent, demander_mot_de_passe=False)
    if _accepter(request, designation, formulaire):
        messages.success(request, _message_accord(designation))
    else:
        messages.error(request, " ".join(formulaire.non_field_errors()) or "Votre accord n'a pas pu être enregistré.")
    return redirect(designation)


def designation_refuser(request, uuid):
    designation = _ma_designation(request, uuid)
    formulaire = RefusForm(request.POST or None)
    if request.method == "POST" and _refuser(request, designation, formulaire):
        messages.success(request, "Votre refus et son motif ont été transmis à la direction de l'établissement.")
        return redirect(designation)
    return render(
        request,
        "missions/designation_refuser.html",
        {"designation": designation, "form": formulaire},
        status=400 if formulaire.errors else 200,
    )


@login_not_required
def designation_repondre(request, jeton):
    """Le lien du courriel : la personne répond sans être connectée (le lien secret vaut preuve)."""
    designation = get_object_or_404(Designation.objects.avec_donnees_liste(), jeton=jeton)
    agent = designation.agent
    if request.user.is_authenticated and request.user != agent:
        return render(request, "missions/designation_repondre.html", {"designation": designation, "autre_compte": True})
    demander_mot_de_passe = not agent.has_usable_password()
    action = request.POST.get("action") if request.method == "POST" else None
    form_accord = AccordForm(
        request.POST if action == "accepter" else None, agent=agent, demander_mot_de_passe=demander_mot_de_passe
    )
    form_refus = RefusForm(request.POST if action == "refuser" else None)
    if action == "accepter" and _accepter(request, designation, form_accord):
        messages.success(request, _message_accord(designation))
        return redirect("missions:designation_repondre", jeton=jeton)
    if action == "refuser" and _refuser(request, designation, form_refus):
        messages.success(request, "Votre refus et son motif ont été transmis à la direction de l'établissement.")
        return redirect("missions:designation_repondre", jeton=jeton)
    designation.refresh_from_db(fields=["statut"])
    return render(
        request,
        "missions/designation_repondre.html",
        {
            "designation": designation,
            "autre_compte": False,
            "en_attente": designation.peut_repondre(agent),
            "form_accord": form_accord,
            "form_refus": form_refus,
            "demander_mot_de_passe": demander_mot_de_passe,
        },
        status=400 if action else 200,
    )
