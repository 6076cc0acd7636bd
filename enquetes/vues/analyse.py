"""Analyse des réponses à l'enquête et export des réponses, pour la DANE de l'académie, le correspondant
(ses départements seulement) et le national (en lecture). Calculs : enquetes/analyse.py ; export :
enquetes/resources.py. La page et l'export suivent les mêmes filtres et le même périmètre."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from enquetes import analyse
from enquetes.resources import TITRE_EXPORT, exporter
from enquetes.vues.construction import get_enquete_for_user
from missions.views.communs import parametres_sans_page
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.exports import FORMATS_EXPORT, reponse_export
from rupn.formulaires import FormulaireFiltreDsfr
from rupn.territoires.models import Etablissement

lecture = role_requis(*Role.TYPES_ACADEMIQUES)
TEXTES_PAR_PAGE = 50


class AnalyseFiltreForm(FormulaireFiltreDsfr):
    """Filtres de l'analyse et de l'export. Départements et bassins proposés : ceux des participations du
    périmètre (tirés de la répartition déjà calculée : aucune requête de plus)."""

    departement = forms.ChoiceField(label="Département", required=False)
    bassin = forms.ChoiceField(label="Bassin de formation", required=False)
    type = forms.ChoiceField(label="Type", choices=[("", "Tous"), *Etablissement.Type.choices], required=False)
    secteur = forms.ChoiceField(label="Secteur", choices=[("", "Tous"), *Etablissement.Secteur.choices], required=False)

    def __init__(self, *args, groupes, **kwargs):
        super().__init__(*args, **kwargs)
        departements = sorted({(g.departement, g.departement_nom) for g in groupes})
        self.fields["departement"].choices = [("", "Tous"), *((code, f"{code} — {nom}") for code, nom in departements)]
        bassins = sorted({(g.bassin_libelle, g.bassin) for g in groupes if g.bassin}, key=lambda b: b[0].casefold())
        self.fields["bassin"].choices = [("", "Tous"), *((code, libelle) for libelle, code in bassins)]

    def filtres(self):
        """Les filtres demandés ; un filtre refusé (département hors périmètre…) ne laisse rien passer."""
        if not self.is_valid():
            return analyse.Filtres(rien=True)
        return analyse.Filtres(**self.cleaned_data)


def _filtrer(request, enquete):
    """Le formulaire de filtres, les filtres et la répartition des participations du périmètre."""
    groupes = analyse.repartition(analyse.participations_du_perimetre(request.user, enquete))
    formulaire = AnalyseFiltreForm(request.GET, groupes=groupes)
    return formulaire, formulaire.filtres(), groupes


@lecture
def enquete_analyse(request, uuid):
    """Taux de réponse et résultats de chaque question ; avec `?textes=<code>`, toutes les réponses à une
    question de texte, page par page."""
    enquete = get_enquete_for_user(request, uuid)
    formulaire, filtres, groupes = _filtrer(request, enquete)
    if request.GET.get("textes"):
        return _textes(request, enquete, formulaire, filtres)
    parametres = parametres_sans_page(formulaire.data)
    return render(
        request,
        "enquetes/analyse/enquete_analyse.html",
        {
            "enquete": enquete,
            "form": formulaire,
            "filtres": filtres,
            "analyse": analyse.analyser(enquete=enquete, user=request.user, groupes=groupes, filtres=filtres),
            "parametres": parametres,
            "exports": [
                (f"Réponses en {format.upper()}", reverse("enquetes:reponses_export", args=[enquete.uuid, format]))
                for format in FORMATS_EXPORT
            ],
            "perimetre": _perimetre(request),
        },
    )


def _perimetre(request):
    role = request.user.role_actif
    if role.type == Role.Type.CORRESPONDANT:
        departements = ", ".join(str(d) for d in role.departements.order_by("code"))
        return f"Périmètre : les établissements de vos départements ({departements})."
    if role.est_national:
        return "Lecture nationale : tous les établissements de l'académie."
    return "Périmètre : tous les établissements de l'académie."


def _textes(request, enquete, formulaire, filtres):
    question = get_object_or_404(
        enquete.questions.filter(type__in=analyse.TYPES_TEXTE).select_related("section"), code=request.GET["textes"]
    )
    participations = analyse.envoyees(analyse.participations_du_perimetre(request.user, enquete), filtres)
    page = Paginator(analyse.textes_de(question, participations), TEXTES_PAR_PAGE).get_page(request.GET.get("page"))
    retour = formulaire.data.copy()
    retour.pop("textes", None)
    retour.pop("page", None)
    return render(
        request,
        "enquetes/analyse/textes.html",
        {
            "enquete": enquete,
            "question": question,
            "page": page,
            "parametres": parametres_sans_page(formulaire.data),
            "retour": retour.urlencode(),
            "filtres": filtres,
        },
    )


@lecture
def reponses_export(request, uuid, format):
    """Une ligne par participation envoyée, une colonne par code de question (voir enquetes/resources.py)."""
    if format not in FORMATS_EXPORT:
        raise Http404("Export inconnu : csv ou xlsx.")
    enquete = get_enquete_for_user(request, uuid)
    _, filtres, _ = _filtrer(request, enquete)
    participations = analyse.envoyees(analyse.participations_du_perimetre(request.user, enquete), filtres)
    return reponse_export(
        exporter(enquete, participations), format, _nom_fichier(request, enquete, filtres), TITRE_EXPORT
    )


def _nom_fichier(request, enquete, filtres):
    """Par exemple reponses-enquete-16-2025-2026, ou reponses-enquete-16-031-2025-2026 pour un département."""
    perimetre = enquete.academie.code
    if filtres.departement:
        perimetre += f"-{filtres.departement}"
    elif request.user.role_actif.type == Role.Type.CORRESPONDANT:
        perimetre += "-" + "-".join(sorted(request.user.role_actif.departements.values_list("code", flat=True)))
    return f"reponses-enquete-{perimetre}-{enquete.annee.code}"
