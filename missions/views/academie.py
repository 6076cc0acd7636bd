"""Les désignations vues par l'académie : liste filtrée avec ses totaux, validation par la DANE, exports."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from missions import services
from missions.forms_academie import DesignationFiltreForm
from missions.models import Designation
from missions.resources import CONTENUS_EXPORT, contenu_fichier, exporter
from missions.views.communs import annee_demandee
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.territoires.models import Etablissement
from rupn.territoires.views import FORMATS_EXPORT

_ENGAGEE = ~Q(statut__in=Designation.STATUTS_CLOS_SANS_SUITE)


def _designations_filtrees(request):
    """L'année demandée, le formulaire de filtres et les désignations visibles qui y répondent."""
    annee = annee_demandee(request)
    donnees = request.GET.copy()
    donnees["annee"] = annee.code
    formulaire = DesignationFiltreForm(donnees, etablissements=Etablissement.objects.visible_to(request.user))
    return annee, formulaire, formulaire.filtrer(Designation.objects.visible_to(request.user))


def _totaux(designations):
    """Personnes, désignations et montant engagé : en tout, et par département (en SQL)."""
    sans_tri = designations.order_by()
    mesures = {
        "personnes": Count("agent", distinct=True),
        "designations": Count("pk"),
        "montant": Sum("montant", filter=_ENGAGEE, default=0),
    }
    ensemble = sans_tri.aggregate(**mesures, a_valider=Count("pk", filter=Q(statut=Designation.Statut.ACCEPTEE)))
    par_departement = (
        sans_tri.values("etablissement__departement__code", "etablissement__departement__nom")
        .annotate(**mesures)
        .order_by("etablissement__departement__code")
    )
    return ensemble, par_departement


@role_requis(*Role.TYPES_ACADEMIQUES)
def academie_designations(request):
    annee, formulaire, designations = _designations_filtrees(request)
    totaux, par_departement = _totaux(designations)
    page = Paginator(designations.avec_donnees_liste(), 50).get_page(request.GET.get("page"))
    parametres = formulaire.data.copy()  # avec l'année, même quand elle n'était pas dans l'adresse
    parametres.pop("page", None)
    return render(
        request,
        "missions/academie_designations.html",
        {
            "annee": annee,
            "form": formulaire,
            "page": page,
            "parametres": parametres.urlencode(),
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


def _accord(nombre, singulier, pluriel):
    return pluriel if nombre > 1 else singulier


def _uuids(valeurs):
    """Les identifiants bien formés parmi `valeurs` (les autres sont ignorés)."""
    trouves = []
    for valeur in valeurs:
        try:
            trouves.append(uuid.UUID(valeur))
        except ValueError:
            continue
    return trouves


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
            uuid__in=_uuids(request.POST.getlist("designations"))
        )
    choisies = list(designations.order_by().only("pk"))
    if not choisies:
        messages.error(request, "Aucune désignation de votre académie n'a été choisie : rien n'a été validé.")
        return _retour(request)
    validees = services.designations_valider(
        designations=choisies, par=request.user, url_absolue=request.build_absolute_uri
    )
    if validees:
        messages.success(request, f"{validees} {_accord(validees, 'désignation validée', 'désignations validées')}.")
    if restees := len(choisies) - validees:
        messages.error(
            request,
            f"{restees} "
            + _accord(
                restees,
                "désignation n'était pas acceptée et reste",
                "désignations n'étaient pas acceptées et restent",
            )
            + " en l'état : seule une désignation acceptée par la personne peut être validée.",
        )
    return _retour(request)


@role_requis(*Role.TYPES_ACADEMIQUES)
def designation_export(request, contenu, format):
    if contenu not in CONTENUS_EXPORT or format not in FORMATS_EXPORT:
        raise Http404("Export inconnu : désignations ou échéancier, au format csv ou xlsx.")
    annee, formulaire, designations = _designations_filtrees(request)
    donnees = exporter(designations, contenu)
    type_mime, extension = FORMATS_EXPORT[format]
    reponse = HttpResponse(contenu_fichier(donnees, format), content_type=type_mime)
    reponse["Content-Disposition"] = (
        f'attachment; filename="{_nom_fichier(request, annee, formulaire, contenu)}.{extension}"'
    )
    return reponse


def _nom_fichier(request, annee, formulaire, contenu):
    """Par exemple designations-16-2025-2026 : l'export, le périmètre (département filtré ou académie), l'année."""
    role = request.user.role_actif
    if departement := formulaire.cleaned_data.get("departement"):
        perimetre = departement.code
    else:
        perimetre = role.academie.code if role.academie_id else "national"
    return f"{contenu}-{perimetre}-{annee.code}"
