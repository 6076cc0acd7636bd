"""Les désignations vues par l'académie : liste filtrée avec ses totaux, validation par la DANE, exports."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from missions import services
from missions.forms_academie import DesignationFiltreForm
from missions.models import Designation
from missions.resources import CONTENUS_EXPORT, TITRES_EXPORT, exporter
from missions.views.communs import annee_demandee, en_nombre, parametres_sans_page, uuids
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.exports import FORMATS_EXPORT, reponse_export
from rupn.territoires.models import Etablissement


def _designations_filtrees(request):
    """L'année demandée, le formulaire de filtres et les désignations visibles qui y répondent."""
    annee = annee_demandee(request)
    donnees = request.GET.copy()
    donnees["annee"] = annee.code
    formulaire = DesignationFiltreForm(donnees, etablissements=Etablissement.objects.visible_to(request.user))
    return annee, formulaire, formulaire.filtrer(Designation.objects.visible_to(request.user))


def _totaux(designations):
    """Personnes, désignations et montant des désignations engagées (ni refusées ni annulées) :
    en tout, et par département (en SQL)."""
    engagees = designations.engagees().order_by()
    mesures = {
        "personnes": Count("agent", distinct=True),
        "designations": Count("pk"),
        "montant": Sum("montant", default=0),
    }
    ensemble = engagees.aggregate(**mesures, a_valider=Count("pk", filter=Q(statut=Designation.Statut.ACCEPTEE)))
    par_departement = (
        engagees.values("etablissement__departement__code", "etablissement__departement__nom")
        .annotate(**mesures)
        .order_by("etablissement__departement__code")
    )
    return ensemble, par_departement


@role_requis(*Role.TYPES_ACADEMIQUES)
def academie_designations(request):
    annee, formulaire, designations = _designations_filtrees(request)
    totaux, par_departement = _totaux(designations)
    page = Paginator(designations.avec_donnees_liste(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "missions/academie_designations.html",
        {
            "annee": annee,
            "form": formulaire,
            "page": page,
            # avec l'année, même quand elle n'était pas dans l'adresse
            "parametres": parametres_sans_page(formulaire.data),
            "totaux": totaux,
            "par_departement": par_departement,
            "peut_valider": request.user.role_actif.type == Role.Type.DANE,
            "exports": [
                (f"{libelle} en {format.upper()}", reverse("missions:designation_export", args=[contenu, format]))
                for contenu, libelle in (("designations", "Désignations"), ("echeancier", "Échéancier des IMP"))
                for format in FORMATS_EXPORT
            ],
        },
    )


def _retour(request):
    """`next` s'il désigne une page de ce site, sinon la liste avec ses filtres."""
    suivante = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(suivante, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(suivante)
    liste = reverse("missions:academie_designations")
    return redirect(f"{liste}?{request.GET.urlencode()}" if request.GET else liste)


@require_POST
@role_requis(Role.Type.DANE)
def designations_valider(request):
    """Valide les désignations cochées (`designations`) ou, avec `tout=1`, toutes les acceptées du filtre
    (les filtres voyagent dans l'adresse du formulaire). Seules comptent celles de l'académie de la DANE."""
    if request.POST.get("tout") == "1":
        *_, designations = _designations_filtrees(request)
        designations = designations.filter(statut=Designation.Statut.ACCEPTEE)
    else:
        designations = Designation.objects.visible_to(request.user).filter(
            uuid__in=uuids(request.POST.getlist("designations"))
        )
    choisies = list(designations.order_by().only("pk"))
    if not choisies:
        messages.error(request, "Aucune désignation de votre académie n'a été choisie : rien n'a été validé.")
        return _retour(request)
    validees = services.designations_valider(
        designations=choisies, par=request.user, url_absolue=request.build_absolute_uri
    )
    if validees:
        messages.success(request, f"{en_nombre(validees, 'désignation validée', 'désignations validées')}.")
    if restees := len(choisies) - validees:
        restent = en_nombre(
            restees,
            "désignation n'était pas acceptée et reste",
            "désignations n'étaient pas acceptées et restent",
        )
        messages.error(
            request, f"{restent} en l'état : seule une désignation acceptée par la personne peut être validée."
        )
    return _retour(request)


@role_requis(*Role.TYPES_ACADEMIQUES)
def designation_export(request, contenu, format):
    if contenu not in CONTENUS_EXPORT or format not in FORMATS_EXPORT:
        raise Http404("Export inconnu : désignations ou échéancier, au format csv ou xlsx.")
    annee, formulaire, designations = _designations_filtrees(request)
    return reponse_export(
        exporter(designations, contenu),
        format,
        _nom_fichier(request, annee, formulaire, contenu),
        TITRES_EXPORT[contenu],
    )


def _nom_fichier(request, annee, formulaire, contenu):
    """Par exemple designations-16-2025-2026 : l'export, le périmètre (département filtré ou académie), l'année."""
    role = request.user.role_actif
    if departement := formulaire.cleaned_data.get("departement"):
        perimetre = departement.code
    else:
        perimetre = role.academie.code if role.academie_id else "national"
    return f"{contenu}-{perimetre}-{annee.code}"
