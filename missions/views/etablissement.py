"""Pages de la direction d'un établissement : désigner, renouveler, terminer ; et la fiche d'une désignation."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from missions import services
from missions.echeancier import lignes_de_paiement
from missions.forms import AccordForm, DesignationForm, RefusForm, TerminerForm
from missions.models import Designation, Enveloppe
from missions.views.communs import annee_demandee, annees_proposees, get_designation_for_user, url_avec
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.formats import euros
from rupn.territoires.models import AnneeScolaire

direction_requise = role_requis(*Role.TYPES_DIRECTION)


def _designations_de_l_etablissement(request):
    return Designation.objects.filter(etablissement_id=request.user.role_actif.etablissement_id)


def _etat_enveloppe(etablissement, annee):
    """L'enveloppe d'IMP de l'année (ou None), le montant engagé par les désignations et le dépassement."""
    engage = (
        Designation.objects.filter(etablissement=etablissement, annee=annee)
        .engagees()
        .aggregate(total=Sum("montant"))["total"]
        or 0
    )
    enveloppe = Enveloppe.objects.filter(etablissement=etablissement, annee=annee).first()
    return {
        "engage": engage,
        "enveloppe": enveloppe,
        "ecart": abs(enveloppe.montant - engage) if enveloppe else None,
        "depassement": enveloppe is not None and engage > enveloppe.montant,
    }


def _annee_precedente(annee):
    return AnneeScolaire.objects.filter(debut__lt=annee.debut).order_by("-debut").first()


@direction_requise
def designation_liste(request):
    etablissement = request.user.role_actif.etablissement
    annee = annee_demandee(request)
    designations = _designations_de_l_etablissement(request).pour_annee(annee).avec_donnees_liste()
    precedente = _annee_precedente(annee)
    a_renouveler = services.designations_a_renouveler(etablissement, precedente, annee).count() if precedente else 0
    return render(
        request,
        "missions/designation_liste.html",
        {
            "etablissement": etablissement,
            "annee": annee,
            "annees": annees_proposees(),
            "designations": designations,
            **_etat_enveloppe(etablissement, annee),
            "annee_precedente": precedente,
            "a_renouveler": a_renouveler,
            "ouverte": _ouverte_aux_designations(annee),
        },
    )


def _ouverte_aux_designations(annee):
    """On désigne pour l'année en cours ou la suivante, pas pour une année passée ou lointaine."""
    aujourd_hui = datetime.date.today()
    return annee.fin >= aujourd_hui and annee.debut <= aujourd_hui.replace(year=aujourd_hui.year + 1)


def _annee_ouverte_aux_designations(request):
    annee = annee_demandee(request)
    if not _ouverte_aux_designations(annee):
        raise Http404(f"On ne désigne plus (ou pas encore) de RUPN pour l'année {annee}.")
    return annee


@direction_requise
def designation_creer(request):
    etablissement = request.user.role_actif.etablissement
    annee = _annee_ouverte_aux_designations(request)
    remplace = None
    if uuid_remplace := request.GET.get("remplace"):
        remplace = get_object_or_404(
            _designations_de_l_etablissement(request).filter(annee=annee).select_related("agent", "taux"),
            uuid=uuid_remplace,
        )
    designation = Designation(etablissement=etablissement, annee=annee, remplace=remplace)
    initial = {"debut": annee.debut, "fin": annee.fin}
    if remplace:
        initial.update(debut=min(remplace.fin + datetime.timedelta(days=1), annee.fin), taux=remplace.taux)
    formulaire = DesignationForm(request.POST or None, instance=designation, initial=initial)
    if request.method == "POST" and formulaire.is_valid():
        try:
            designation = services.designation_proposer(
                designation=formulaire.save(commit=False),
                par=request.user,
                url_absolue=request.build_absolute_uri,
                nouvel_agent=formulaire.nouvel_agent,
            )
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(
                request,
                f"La désignation est proposée à {designation.agent.email} pour {annee}. Un courriel lui demande "
                "son accord : rien n'est définitif sans lui.",
            )
            if (etat := _etat_enveloppe(etablissement, annee))["depassement"]:
                messages.warning(
                    request,
                    f"Les désignations engagent désormais {euros(etat['engage'])} pour une enveloppe d'IMP de "
                    f"{euros(etat['enveloppe'].montant)}.",
                )
            return redirect(designation)
    return render(
        request,
        "missions/designation_creer.html",
        {
            "form": formulaire,
            "annee": annee,
            "etablissement": etablissement,
            "remplace": remplace,
            **_etat_enveloppe(etablissement, annee),
        },
    )


@direction_requise
def designation_renouveler(request):
    etablissement = request.user.role_actif.etablissement
    annee = _annee_ouverte_aux_designations(request)
    precedente = _annee_precedente(annee)
    candidates = list(services.designations_a_renouveler(etablissement, precedente, annee)) if precedente else []
    erreur = None
    cochees = {str(d.uuid) for d in candidates}
    if request.method == "POST":
        cochees = set(request.POST.getlist("designations"))
        choisies = [d for d in candidates if str(d.uuid) in cochees]
        if not choisies:
            erreur = "Cochez au moins une désignation à renouveler."
        else:
            try:
                nouvelles = services.designations_renouveler(
                    precedentes=choisies, annee=annee, par=request.user, url_absolue=request.build_absolute_uri
                )
            except ValidationError as exception:
                erreur = f"Aucune désignation n'a été renouvelée. {' '.join(exception.messages)}"
            else:
                messages.success(
                    request,
                    f"{len(nouvelles)} désignation{'s' if len(nouvelles) > 1 else ''} proposée"
                    f"{'s' if len(nouvelles) > 1 else ''} pour {annee}. Chaque personne a reçu un courriel "
                    "pour donner à nouveau son accord.",
                )
                return redirect(url_avec("missions:designation_liste", annee=annee.code))
    return render(
        request,
        "missions/designation_renouveler.html",
        {
            "annee": annee,
            "annee_precedente": precedente,
            "candidates": [(d, str(d.uuid) in cochees) for d in candidates],
            "erreur": erreur,
        },
        status=400 if erreur else 200,
    )


def designation_detail(request, uuid):
    designation = get_designation_for_user(request, uuid)
    lignes = []
    if designation.statut not in Designation.STATUTS_CLOS_SANS_SUITE:
        # Du montant enregistré et du mois figé à la proposition : un taux ou un réglage changé
        # depuis ne réécrit pas l'échéancier.
        lignes = lignes_de_paiement(
            montant_du=designation.montant,
            debut_annee=designation.annee.debut,
            debut=designation.debut,
            fin=designation.fin,
            premier_mois_paiement=designation.premier_mois_paiement,
        )
    peut_repondre = designation.peut_repondre(request.user)
    return render(
        request,
        "missions/designation_detail.html",
        {
            "designation": designation,
            "lignes": lignes,
            "transitions": designation.transitions.select_related("par"),
            "remplacements": designation.remplacements.select_related("agent"),
            "peut_repondre": peut_repondre,
            "peut_valider": designation.peut_valider(request.user),
            "peut_annuler": designation.peut_annuler(request.user),
            "peut_terminer": designation.peut_terminer(request.user),
            "peut_remplacer": designation.peut_remplacer(request.user),
            "form_accord": AccordForm(agent=designation.agent, demander_mot_de_passe=False) if peut_repondre else None,
            "form_refus": RefusForm() if peut_repondre else None,
        },
    )


def _designation_de_la_direction(request, uuid):
    designation = get_designation_for_user(request, uuid)
    if not designation.geree_par(request.user):
        raise PermissionDenied("Seule la direction de l'établissement peut modifier cette désignation.")
    return designation


@require_POST
@direction_requise
def designation_annuler(request, uuid):
    designation = _designation_de_la_direction(request, uuid)
    try:
        services.designation_annuler(
            designation=designation,
            par=request.user,
            url_absolue=request.build_absolute_uri,
            motif=request.POST.get("motif", "")[:500],
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"La désignation de {designation.agent} est annulée.")
    return redirect(designation)


@direction_requise
def designation_terminer(request, uuid):
    designation = _designation_de_la_direction(request, uuid)
    if not designation.peut_terminer(request.user):
        messages.error(
            request, f"Cette désignation est « {designation.get_statut_display().lower()} » : on ne peut y mettre fin."
        )
        return redirect(designation)
    formulaire = TerminerForm(request.POST or None, designation=designation)
    if request.method == "POST" and formulaire.is_valid():
        try:
            services.designation_terminer(
                designation=designation,
                par=request.user,
                fin=formulaire.cleaned_data["fin"],
                motif=formulaire.cleaned_data["motif"],
            )
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(
                request,
                f"La mission de {designation.agent} se termine le {formulaire.cleaned_data['fin']:%d/%m/%Y} ; "
                "son indemnité est recalculée au prorata.",
            )
            if formulaire.cleaned_data["remplacer"]:
                return redirect(
                    url_avec("missions:designation_creer", annee=designation.annee.code, remplace=designation.uuid)
                )
            return redirect(designation)
    return render(request, "missions/designation_terminer.html", {"designation": designation, "form": formulaire})
