"""Listes des lettres de mission : celles de l'établissement (direction), celles de la personne désignée,
celles de l'académie avec les désignations qui attendent encore une lettre scellée, et leur export CSV."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Subquery
from django.shortcuts import render

from lettres.forms_listes import LettreFiltreForm
from lettres.models import LettreMission
from lettres.resources import TITRE_EXPORT, avec_rupn, exporter
from missions.models import Designation
from missions.views.communs import annee_demandee, annees_proposees
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.exports import reponse_export
from rupn.territoires.models import Etablissement

PAR_PAGE = 50
# La page du second tableau de la page académique (la première suit le paramètre habituel, `page`).
PAGE_DESIGNATIONS = "page_designations"
Statut = LettreMission.Statut


def _a_couvrir(designations):
    """Les désignations qu'une lettre de mission couvre : acceptées par la personne, validées ou non par la DANE."""
    return designations.filter(statut__in=[Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE])


def _lettres_de_la_designation():
    return LettreMission.objects.filter(designations=OuterRef("pk"))


# Établissement et personne désignée


@role_requis(*Role.TYPES_DIRECTION)
def lettre_liste(request):
    """Les lettres de l'établissement pour l'année, et les désignations qui n'en ont encore aucune (une lettre
    annulée ne compte pas : il faut en rédiger une autre)."""
    annee = annee_demandee(request)
    lettres = LettreMission.objects.visible_to(request.user).pour_annee(annee)
    sans_lettre = (
        _a_couvrir(Designation.objects.visible_to(request.user).pour_annee(annee))
        .exclude(Exists(_lettres_de_la_designation().exclude(statut=Statut.ANNULEE)))
        .select_related("agent", "taux")
    )
    return render(
        request,
        "lettres/lettre_liste.html",
        {
            "etablissement": request.user.role_actif.etablissement,
            "annee": annee,
            "annees": annees_proposees(),
            "lettres": avec_rupn(lettres),
            "sans_lettre": sans_lettre,
        },
    )


def mes_lettres(request):
    """Toute personne connectée : les lettres, de toutes les années, qui portent une de ses désignations."""
    # Par sous-requête : une lettre qui porte deux de ses désignations n'apparaît qu'une fois, sans DISTINCT.
    siennes = LettreMission.designations.through.objects.filter(designation__agent=request.user)
    lettres = LettreMission.objects.filter(pk__in=siennes.values("lettremission_id"))
    return render(request, "lettres/mes_lettres.html", {"lettres": avec_rupn(lettres)})


# Académie


def _filtres(request):
    """L'année demandée (404 si inconnue) et le formulaire des filtres."""
    annee = annee_demandee(request)
    donnees = request.GET.copy()
    donnees["annee"] = annee.code
    return annee, LettreFiltreForm(donnees, etablissements=Etablissement.objects.visible_to(request.user))


def _parametres(donnees, *retires, **ajoutes):
    """Les paramètres de la page (QueryDict) sans `retires`, avec `ajoutes`, prêts pour une adresse."""
    parametres = donnees.copy()
    for cle in retires:
        parametres.pop(cle, None)
    for cle, valeur in ajoutes.items():
        parametres[cle] = valeur
    return parametres.urlencode()


def _par_etat(lettres, donnees):
    """Le nombre de lettres de chaque état (en une requête), avec l'adresse de la liste filtrée sur cet état."""
    nombres = dict(lettres.order_by().values_list("statut").annotate(nombre=Count("pk")))
    return [
        {
            "libelle": libelle,
            "nombre": nombres.get(statut, 0),
            "url": "?" + _parametres(donnees, "page", PAGE_DESIGNATIONS, statut=statut),
        }
        for statut, libelle in Statut.choices
    ]


def _sans_lettre_scellee(designations):
    """Les désignations à couvrir qu'aucune lettre scellée ne couvre, avec l'état et l'identifiant de leur
    lettre la plus récente s'il y en a une (en brouillon, annulée, remplacée par un avenant en cours…)."""
    derniere = _lettres_de_la_designation().order_by("-cree_le", "-pk")
    return (
        _a_couvrir(designations)
        .exclude(Exists(_lettres_de_la_designation().filter(statut=Statut.SCELLEE)))
        .annotate(
            lettre_statut=Subquery(derniere.values("statut")[:1]),
            lettre_uuid=Subquery(derniere.values("uuid")[:1]),
        )
        .select_related("etablissement__departement", "agent")
        .order_by("etablissement__nom", "etablissement__uai", "agent__last_name", "agent__first_name", "pk")
    )


@role_requis(*Role.TYPES_ACADEMIQUES)
def academie_lettres(request):
    annee, formulaire = _filtres(request)
    visibles = LettreMission.objects.visible_to(request.user)
    par_etat = _par_etat(formulaire.par_etablissement(visibles), formulaire.data)
    designations = formulaire.par_etablissement(Designation.objects.visible_to(request.user))
    return render(
        request,
        "lettres/academie_lettres.html",
        {
            "annee": annee,
            "form": formulaire,
            "par_etat": par_etat,
            "total": sum(ligne["nombre"] for ligne in par_etat),
            "page": Paginator(avec_rupn(formulaire.filtrer(visibles)), PAR_PAGE).get_page(request.GET.get("page")),
            "page_designations": Paginator(_sans_lettre_scellee(designations), PAR_PAGE).get_page(
                request.GET.get(PAGE_DESIGNATIONS)
            ),
            # Avec l'année, même quand elle n'était pas dans l'adresse.
            "parametres": _parametres(formulaire.data, "page"),
            "parametres_designations": _parametres(formulaire.data, PAGE_DESIGNATIONS),
            "parametres_export": _parametres(formulaire.data, "page", PAGE_DESIGNATIONS),
        },
    )


@role_requis(*Role.TYPES_ACADEMIQUES)
def lettre_export(request):
    """Le CSV des lettres du filtre de la page académique."""
    annee, formulaire = _filtres(request)
    lettres = formulaire.filtrer(LettreMission.objects.visible_to(request.user))
    return reponse_export(exporter(lettres), "csv", _nom_fichier(request, annee, formulaire), TITRE_EXPORT)


def _nom_fichier(request, annee, formulaire):
    """Par exemple lettres-16-2025-2026 : le périmètre (département filtré ou académie) et l'année."""
    if formulaire.is_valid() and (departement := formulaire.cleaned_data["departement"]):
        perimetre = departement.code
    else:
        role = request.user.role_actif
        perimetre = role.academie.code if role.academie_id else "national"
    return f"lettres-{perimetre}-{annee.code}"
