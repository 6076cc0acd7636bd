"""Listes des lettres de mission : celles de l'établissement (direction), celles de la personne désignée,
celles de l'académie avec les désignations qui attendent encore une lettre scellée, leur export CSV et
l'archive ZIP de leurs PDF signés."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from lettres import services
from lettres.forms_listes import LettreFiltreForm
from lettres.models import LettreMission
from lettres.resources import TITRE_EXPORT, avec_rupn, exporter
from lettres.zip import flux_zip_lettres
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


def _lettres_de_la_designation():
    return LettreMission.objects.filter(designations=OuterRef("pk"))


# Établissement et personne désignée


@role_requis(*Role.TYPES_DIRECTION)
def lettre_liste(request):
    """Les lettres de l'établissement pour l'année, et les désignations qui n'en ont encore aucune (une lettre
    annulée ne compte pas : il faut en rédiger une autre)."""
    annee = annee_demandee(request)
    lettres = LettreMission.objects.visible_to(request.user).pour_annee(annee)
    sans_lettre = services.sans_lettre(Designation.objects.visible_to(request.user).pour_annee(annee))
    return render(
        request,
        "lettres/lettre_liste.html",
        {
            "etablissement": request.user.role_actif.etablissement,
            "annee": annee,
            "annees": annees_proposees(),
            "lettres": avec_rupn(lettres),
            "sans_lettre": sans_lettre.select_related("agent", "taux"),
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
    """Le nombre de lettres de chaque état, et de celles qui ont un PDF (en une requête), avec l'adresse de la
    liste filtrée sur cet état."""
    nombres = {
        statut: (nombre, avec_pdf)
        for statut, nombre, avec_pdf in lettres.order_by()
        .values_list("statut")
        .annotate(nombre=Count("pk"), avec_pdf=Count("pk", filter=~Q(pdf="")))
    }
    return [
        {
            "statut": statut,
            "libelle": libelle,
            "nombre": nombres.get(statut, (0, 0))[0],
            "avec_pdf": nombres.get(statut, (0, 0))[1],
            "url": "?" + _parametres(donnees, "page", PAGE_DESIGNATIONS, statut=statut),
        }
        for statut, libelle in Statut.choices
    ]


def _sans_lettre_scellee(designations):
    """Les désignations à couvrir qu'aucune lettre scellée ne couvre, avec l'état et l'identifiant de leur
    lettre la plus récente s'il y en a une (en brouillon, annulée, remplacée par un avenant en cours…)."""
    derniere = _lettres_de_la_designation().order_by("-cree_le", "-pk")
    return (
        services.a_couvrir(designations)
        .exclude(Exists(_lettres_de_la_designation().filter(statut=Statut.SCELLEE)))
        .annotate(
            lettre_statut=Subquery(derniere.values("statut")[:1]),
            lettre_uuid=Subquery(derniere.values("uuid")[:1]),
            lettre_scellee_le=Subquery(derniere.values("scellee_le")[:1]),
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
    statuts_zip = _statuts_du_zip(formulaire)
    return render(
        request,
        "lettres/academie_lettres.html",
        {
            "annee": annee,
            "form": formulaire,
            "par_etat": par_etat,
            "total": sum(ligne["nombre"] for ligne in par_etat),
            # Les PDF de l'archive ZIP, comptés par la requête des compteurs : rien de plus à lire.
            "nombre_zip": sum(ligne["avec_pdf"] for ligne in par_etat if ligne["statut"] in statuts_zip),
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


# Les lettres dont l'archive ZIP donne le PDF : par défaut, seules celles signées et scellées, en vigueur. Une lettre
# annulée ou remplacée par un avenant garde son PDF (sa page de vérification la dit annulée ou remplacée), mais
# ne vaut plus : elle n'est dans l'archive que si le filtre d'état la demande explicitement.
STATUTS_AVEC_PDF = {Statut.SCELLEE, Statut.ANNULEE, Statut.REMPLACEE}


def _statuts_du_zip(formulaire):
    statut = formulaire.cleaned_data["statut"] if formulaire.is_valid() else ""
    return {statut} & STATUTS_AVEC_PDF if statut else {Statut.SCELLEE}


def lettres_du_zip(formulaire, lettres):
    """Celles des `lettres` que la liste académique montre avec ces filtres (même fonction de filtrage) et dont
    l'archive donne le PDF."""
    return formulaire.filtrer(lettres).filter(statut__in=_statuts_du_zip(formulaire)).exclude(pdf="")


@role_requis(*Role.TYPES_ACADEMIQUES)
def lettre_zip(request):
    """L'archive ZIP, en flux, des PDF signés et scellés des lettres du filtre de la page académique."""
    annee, formulaire = _filtres(request)
    lettres = lettres_du_zip(formulaire, LettreMission.objects.visible_to(request.user))
    if not lettres.exists():
        messages.info(
            request,
            "Aucune lettre signée et scellée ne correspond à ces critères : il n'y a aucun PDF à télécharger. "
            "Les lettres annulées ou remplacées ne sont dans l'archive que si le filtre d'état les demande.",
        )
        parametres = _parametres(formulaire.data, "page", PAGE_DESIGNATIONS)
        return redirect(f"{reverse('lettres:academie_lettres')}?{parametres}")
    reponse = StreamingHttpResponse(flux_zip_lettres(lettres), content_type="application/zip")
    reponse["Content-Disposition"] = f'attachment; filename="{_nom_zip(request, annee, formulaire)}.zip"'
    return reponse


def _nom_zip(request, annee, formulaire):
    """Par exemple lettres-signees-toulouse-2025-2026, ou lettres-signees-toulouse-031-2025-2026 pour un
    département ; lettres-signees-national-2025-2026 pour le national sans filtre de département."""
    departement = formulaire.cleaned_data["departement"] if formulaire.is_valid() else None
    academie = departement.academie if departement else request.user.role_actif.academie
    morceaux = ["lettres-signees", slugify(academie.nom) if academie else "national"]
    if departement:
        morceaux.append(departement.code)
    return "-".join([*morceaux, annee.code])
