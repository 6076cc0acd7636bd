"""Ce que partagent les vues des désignations : l'année scolaire demandée, l'accès à une désignation,
les identifiants cochés, les paramètres des liens de pagination, l'accord des messages."""

from urllib.parse import urlencode
from uuid import UUID

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from missions.models import Designation
from rupn.territoires.models import AnneeScolaire


def annee_demandee(request, annees=None):
    """L'année scolaire du paramètre `annee` (« 2025-2026 »), l'année en cours par défaut ; 404 si inconnue.
    `annees` : les années déjà lues (la page les propose), où chercher sans relire la table."""
    code = request.GET.get("annee") or request.POST.get("annee")
    if annees is None:
        annee = AnneeScolaire.objects.filter(code=code).first() if code else AnneeScolaire.objects.courante()
    else:
        annee = next((annee for annee in annees if (annee.code == code if code else annee.est_en_cours())), None)
    if annee is None:
        if code:
            raise Http404(f"Année scolaire inconnue : « {code} ».")
        raise Http404("Aucune année scolaire n'est en cours : la DANE doit la créer.")
    return annee


def url_avec(nom, **parametres):
    """L'adresse de la page `nom` suivie des paramètres non vides (?annee=…&departement=…)."""
    parametres = {cle: valeur for cle, valeur in parametres.items() if valeur}
    return reverse(nom) + (f"?{urlencode(parametres)}" if parametres else "")


def annees_proposees():
    return AnneeScolaire.objects.order_by("-debut")


def get_designation_for_user(request, uuid):
    """La désignation si le rôle actif la laisse voir ou si la personne est celle désignée ; sinon 404."""
    visibles = Designation.objects.visible_to(request.user).values("pk")
    return get_object_or_404(
        Designation.objects.filter(Q(pk__in=visibles) | Q(agent=request.user)).avec_donnees_liste(),
        uuid=uuid,
    )


def uuids(valeurs):
    """Les identifiants bien formés parmi les valeurs envoyées (les autres sont ignorées), sans doublon."""
    trouves = set()
    for valeur in valeurs:
        try:
            trouves.add(UUID(valeur))
        except ValueError:
            continue
    return trouves


def parametres_sans_page(donnees):
    """Les paramètres d'une liste (QueryDict), sans `page`, à reprendre dans ses liens et ses exports."""
    parametres = donnees.copy()
    parametres.pop("page", None)
    return parametres.urlencode()


def en_nombre(nombre, singulier, pluriel):
    """Le nombre et ses mots accordés, pluriel à la française à partir de 2 :
    « 0 établissement relancé », « 1 établissement relancé », « 2 établissements relancés »."""
    return f"{nombre} {pluriel if nombre > 1 else singulier}"
