"""Ce que partagent les vues des désignations : l'année scolaire demandée, l'accès à une désignation."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from missions.models import Designation
from rupn.territoires.models import AnneeScolaire


def annee_demandee(request):
    """L'année scolaire du paramètre `annee` (« 2025-2026 »), l'année en cours par défaut ; 404 si inconnue."""
    code = request.GET.get("annee") or request.POST.get("annee")
    if code:
        annee = AnneeScolaire.objects.filter(code=code).first()
        if annee is None:
            raise Http404(f"Année scolaire inconnue : « {code} ».")
        return annee
    annee = AnneeScolaire.objects.courante()
    if annee is None:
        raise Http404("Aucune année scolaire n'est en cours : la DANE doit la créer.")
    return annee


def annees_proposees():
    return AnneeScolaire.objects.order_by("-debut")


def get_designation_for_user(request, uuid):
    """La désignation si le rôle actif la laisse voir ou si la personne est celle désignée ; sinon 404."""
    visibles = Designation.objects.visible_to(request.user).values("pk")
    return get_object_or_404(
        Designation.objects.filter(Q(pk__in=visibles) | Q(agent=request.user)).avec_donnees_liste(),
        uuid=uuid,
    )
