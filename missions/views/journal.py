"""Pages du journal d'activités, pour le RUPN seul : liste filtrée avec ses totaux et la saisie rapide,
ajout, modification, suppression, export CSV. Les écritures passent par missions/journal.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from missions import journal
from missions.forms_journal import ActiviteForm, JournalFiltreForm, date_proposee, libelle_mission
from missions.models import Activite, Designation, heures
from missions.resources_journal import TITRE_EXPORT, exporter
from missions.views.communs import annee_demandee, parametres_sans_page, url_avec
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.exports import reponse_export

rupn_requis = role_requis(Role.Type.RUPN)
PAR_PAGE = 50


def _filtres(request, missions):
    """L'année demandée (l'année en cours par défaut ; 404 si inconnue), le formulaire des filtres et les
    entrées de la personne qui y répondent."""
    annee = annee_demandee(request)
    donnees = request.GET.copy()
    donnees["annee"] = annee.code
    formulaire = JournalFiltreForm(donnees, missions=missions)
    return annee, formulaire, formulaire.filtrer(Activite.objects.visible_to(request.user))


def _mon_activite(request, uuid):
    """Une entrée du journal de la personne ; celles des autres n'existent pas pour elle (404)."""
    return get_object_or_404(Activite.objects.visible_to(request.user).avec_donnees_liste(), uuid=uuid)


def _liste(designation):
    return url_avec("missions:journal", annee=designation.annee.code)


@rupn_requis
def journal_liste(request):
    missions = list(journal.missions_du_journal(request.user))
    annee, formulaire, activites = _filtres(request, missions)
    missions_de_l_annee = [designation for designation in missions if designation.annee_id == annee.pk]
    totaux = activites.totaux()
    saisie = None
    if missions_de_l_annee:
        saisie = ActiviteForm(
            missions=missions_de_l_annee,
            initial={"date": date_proposee(annee)},
            auto_id="saisie_%s",  # la liste a aussi ses filtres « catégorie » et « axe »
        )
    contexte = {
        "annee": annee,
        "form": formulaire,
        "saisie": saisie,
        "plusieurs_etablissements": "etablissement" in formulaire.fields,
        "totaux": totaux,
        "heures": heures(totaux["heures"]),
        "page": Paginator(activites.avec_donnees_liste(), PAR_PAGE).get_page(request.GET.get("page")),
        # Avec l'année, même quand elle n'était pas dans l'adresse.
        "parametres": parametres_sans_page(formulaire.data),
        "autres_annees": sorted({d.annee for d in missions if d.annee_id != annee.pk}, key=lambda a: a.debut),
        "en_attente": 0,
    }
    if not missions_de_l_annee:
        # Pas d'impasse : dire pourquoi, et où répondre à une proposition en attente.
        contexte["en_attente"] = Designation.objects.filter(
            agent=request.user, annee=annee, statut=Designation.Statut.PROPOSEE
        ).count()
    return render(request, "missions/journal_liste.html", contexte)


def _enregistrer(formulaire, ecrire):
    """Appelle `ecrire(champs)` si le formulaire est valide ; rend l'entrée, ou None (le formulaire porte
    alors l'erreur)."""
    if not formulaire.is_valid():
        return None
    try:
        return ecrire(formulaire.champs_saisis())
    except ValidationError as erreur:
        formulaire.add_error(None, erreur.messages)
        return None


def _resume(activite):
    return f"{activite.get_categorie_display()}, le {activite.date:%d/%m/%Y}"


@rupn_requis
def journal_creer(request):
    """La page complète d'une nouvelle entrée (GET), et l'envoi de la saisie rapide ou de cette page (POST)."""
    missions = list(journal.missions_du_journal(request.user))
    if not missions:
        return render(request, "missions/journal_formulaire.html", {"form": None, "activite": None})
    courante = missions[0]  # la plus récente : celle de l'année en cours s'il y en a une
    formulaire = ActiviteForm(
        request.POST or None,
        missions=missions,
        initial={"mission": str(courante.uuid), "date": date_proposee(courante.annee)},
    )
    if request.method == "POST":
        activite = _enregistrer(formulaire, lambda champs: journal.activite_creer(par=request.user, **champs))
        if activite:
            messages.success(request, f"Entrée ajoutée au journal : {_resume(activite)}.")
            return redirect(_liste(activite.designation))
    return render(
        request,
        "missions/journal_formulaire.html",
        {"form": formulaire, "activite": None},
        status=400 if formulaire.errors else 200,
    )


def _refuser_si_fermee(request, activite):
    """Une entrée d'une mission annulée depuis ne se modifie plus : on le dit et on revient à la liste."""
    if activite.peut_modifier(request.user):
        return None
    messages.error(
        request,
        f"Cette entrée appartient à une mission « {activite.designation.get_statut_display().lower()} » : "
        "elle ne se modifie plus.",
    )
    return redirect(_liste(activite.designation))


@rupn_requis
def journal_modifier(request, uuid):
    activite = _mon_activite(request, uuid)
    if refus := _refuser_si_fermee(request, activite):
        return refus
    formulaire = ActiviteForm(
        request.POST or None, instance=activite, missions=list(journal.missions_du_journal(request.user))
    )
    if request.method == "POST":
        modifiee = _enregistrer(
            formulaire, lambda champs: journal.activite_modifier(activite=activite, par=request.user, **champs)
        )
        if modifiee:
            messages.success(request, f"Entrée modifiée : {_resume(modifiee)}.")
            return redirect(_liste(modifiee.designation))
    return render(
        request,
        "missions/journal_formulaire.html",
        {"form": formulaire, "activite": activite},
        status=400 if formulaire.errors else 200,
    )


@rupn_requis
def journal_supprimer(request, uuid):
    """Confirmation (GET), puis suppression (POST)."""
    activite = _mon_activite(request, uuid)
    if refus := _refuser_si_fermee(request, activite):
        return refus
    if request.method == "POST":
        try:
            journal.activite_supprimer(activite=activite, par=request.user)
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(request, f"Entrée supprimée : {_resume(activite)}.")
        return redirect(_liste(activite.designation))
    return render(
        request,
        "missions/journal_supprimer.html",
        {"activite": activite, "mission": libelle_mission(activite.designation)},
    )


@rupn_requis
def journal_export(request):
    """Le CSV des entrées de la liste, avec ses filtres."""
    annee, _, activites = _filtres(request, list(journal.missions_du_journal(request.user)))
    return reponse_export(exporter(activites), "csv", f"journal-activites-{annee.code}", TITRE_EXPORT)
