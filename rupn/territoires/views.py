from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.exports import FORMATS_EXPORT, reponse_export
from rupn.territoires import imports, services
from rupn.territoires.annuaire import AnnuaireInvalide
from rupn.territoires.forms import AcademieParametresForm, EtablissementFiltreForm, ImportAnnuaireForm
from rupn.territoires.models import Etablissement, ImportAnnuaire
from rupn.territoires.resources import EtablissementExportResource


def _etablissements_filtres(request):
    etablissements = Etablissement.objects.visible_to(request.user)
    formulaire = EtablissementFiltreForm(request.GET or None, etablissements=etablissements)
    return formulaire, formulaire.filtrer(etablissements).avec_donnees_liste()


@role_requis(*Role.TYPES_ACADEMIQUES)
def etablissement_liste(request):
    formulaire, etablissements = _etablissements_filtres(request)
    page = Paginator(etablissements, 50).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "territoires/etablissement_liste.html",
        {"form": formulaire, "page": page, "parametres": parametres.urlencode()},
    )


@role_requis(*Role.TYPES_ACADEMIQUES)
def etablissement_export(request, format):
    if format not in FORMATS_EXPORT:
        raise Http404("Format d'export inconnu : choisissez csv ou xlsx.")
    _, etablissements = _etablissements_filtres(request)
    donnees = EtablissementExportResource().export(etablissements)
    return reponse_export(donnees, format, f"etablissements-{timezone.localdate():%Y-%m-%d}", "Établissements")


def etablissement_detail(request, uuid):
    etablissement = get_object_or_404(
        Etablissement.objects.visible_to(request.user).avec_donnees_liste().select_related("etablissement_mere"),
        uuid=uuid,
    )
    return render(
        request,
        "territoires/etablissement_detail.html",
        {
            "etablissement": etablissement,
            "sections": etablissement.sections.all(),
            "responsables": Role.objects.valides()
            .filter(etablissement=etablissement)
            .select_related("utilisateur")
            .order_by("type"),
        },
    )


def _imports_visibles(request):
    return ImportAnnuaire.objects.filter(academie_id=request.user.role_actif.academie_id)


@role_requis(Role.Type.DANE)
def import_liste(request):
    formulaire = ImportAnnuaireForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and formulaire.is_valid():
        fichier = formulaire.cleaned_data["fichier"]
        contenu = fichier.read()
        try:
            imports.verifier_entete(contenu)
        except AnnuaireInvalide as erreur:
            formulaire.add_error("fichier", str(erreur))
        else:
            depot = imports.depot_creer(
                academie=request.user.role_actif.academie, auteur=request.user, fichier=fichier, contenu=contenu
            )
            return redirect("territoires:import_apercu", uuid=depot.uuid)
    return render(
        request,
        "territoires/import_liste.html",
        {"form": formulaire, "imports": _imports_visibles(request).select_related("auteur")[:20]},
    )


@role_requis(Role.Type.DANE)
def import_apercu(request, uuid):
    depot = get_object_or_404(_imports_visibles(request).select_related("auteur"), uuid=uuid)
    bilan = depot.bilan
    nb_hors_perimetre = sum(nombre for _, nombre in bilan.get("hors_perimetre", []))
    resume = [
        ("Nouveaux", len(bilan.get("crees", []))),
        ("Modifiés", len(bilan.get("mis_a_jour", []))),
        ("Inchangés", bilan.get("inchanges", 0)),
        ("Fermés", len(bilan.get("fermes", []))),
        ("Rejetés", len(bilan.get("rejetes", []))),
        ("Hors périmètre", nb_hors_perimetre),
    ]
    return render(
        request,
        "territoires/import_apercu.html",
        {
            "depot": depot,
            "bilan": bilan,
            "resume": resume,
            "lignes_lues": bilan.get("lignes_lues", 0),
            "nb_hors_perimetre": nb_hors_perimetre,
        },
    )


@role_requis(Role.Type.DANE)
def import_avancement(request, uuid):
    """Où en est l'analyse ou l'import : relu chaque seconde par la page d'aperçu."""
    depot = get_object_or_404(_imports_visibles(request), uuid=uuid)
    return JsonResponse(
        {
            "statut": depot.get_statut_display(),
            "avancement": depot.avancement,
            "etape": depot.etape,
            "termine": not depot.en_cours,
        }
    )


@require_POST
@role_requis(Role.Type.DANE)
def import_confirmer(request, uuid):
    depot = get_object_or_404(_imports_visibles(request), uuid=uuid)
    try:
        imports.depot_confirmer(depot=depot)
    except AnnuaireInvalide as erreur:
        messages.error(request, f"Confirmation impossible : {erreur}")
    return redirect("territoires:import_apercu", uuid=depot.uuid)


@require_POST
@role_requis(Role.Type.DANE)
def import_abandonner(request, uuid):
    depot = get_object_or_404(_imports_visibles(request), uuid=uuid)
    try:
        imports.depot_abandonner(depot=depot)
    except AnnuaireInvalide as erreur:
        messages.error(request, f"Abandon impossible : {erreur}")
        return redirect("territoires:import_apercu", uuid=depot.uuid)
    messages.info(request, "Import abandonné : aucun établissement n'a été modifié.")
    return redirect("territoires:import_liste")


@role_requis(Role.Type.DANE)
def academie_parametres(request):
    academie = request.user.role_actif.academie
    formulaire = AcademieParametresForm(request.POST or None, instance=academie)
    if request.method == "POST" and formulaire.is_valid():
        services.academie_parametrer(formulaire=formulaire)
        messages.success(request, "Les paramètres de l'académie sont enregistrés.")
        return redirect("territoires:academie_parametres")
    return render(request, "territoires/academie_parametres.html", {"form": formulaire, "academie": academie})
