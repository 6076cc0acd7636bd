"""Pages académiques : couverture des établissements par un RUPN et relance de leur direction,
enveloppes d'IMP, taux d'IMP autorisés."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.views.decorators.http import require_POST

from missions import services
from missions.forms_couverture import (
    CouvertureFiltreForm,
    EnveloppeFiltreForm,
    EnveloppeForm,
    ImportEnveloppesForm,
    TauxAutorisesForm,
)
from missions.models import Designation, Enveloppe, RelanceCouverture, TauxIMP
from missions.resources_enveloppes import ImportEnveloppesInvalide, importer_enveloppes
from missions.views.communs import annee_demandee, annees_proposees, en_nombre, parametres_sans_page, url_avec, uuids
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.formats import euros
from rupn.territoires.models import Etablissement

FILTRES_COUVERTURE = ("departement", "bassin", "type", "secteur")
EUROS = DecimalField(max_digits=12, decimal_places=2)
PAR_PAGE = 50


# Couverture


def _rupn_accepte(annee):
    return Designation.objects.filter(etablissement=OuterRef("pk"), annee=annee).acceptees()


def _couverture_filtree(request, donnees):
    etablissements = Etablissement.objects.visible_to(request.user).ouverts()
    formulaire = CouvertureFiltreForm(donnees or None, etablissements=etablissements)
    return formulaire, formulaire.filtrer(etablissements)


def _sans_rupn(etablissements, annee):
    return etablissements.filter(~Exists(_rupn_accepte(annee)))


@role_requis(*Role.TYPES_ACADEMIQUES)
def couverture(request):
    annee = annee_demandee(request)
    formulaire, etablissements = _couverture_filtree(request, request.GET)
    chiffres = etablissements.aggregate(total=Count("pk"), couverts=Count("pk", filter=Exists(_rupn_accepte(annee))))
    proposees = (
        Designation.objects.filter(etablissement=OuterRef("pk"), annee=annee, statut=Designation.Statut.PROPOSEE)
        .order_by()
        .values("etablissement")
        .annotate(nombre=Count("pk"))
        .values("nombre")
    )
    derniere_relance = (
        RelanceCouverture.objects.filter(etablissement=OuterRef("pk"), annee=annee).order_by("-le").values("le")[:1]
    )
    sans_rupn = (
        _sans_rupn(etablissements, annee)
        .avec_donnees_liste()
        .annotate(
            nb_proposees=Coalesce(Subquery(proposees, output_field=IntegerField()), 0),
            derniere_relance=Subquery(derniere_relance),
        )
        .order_by("nom", "uai")
    )
    total, couverts = chiffres["total"], chiffres["couverts"]
    return render(
        request,
        "missions/couverture.html",
        {
            "annee": annee,
            "annees": annees_proposees(),
            "form": formulaire,
            "page": Paginator(sans_rupn, PAR_PAGE).get_page(request.GET.get("page")),
            "parametres": parametres_sans_page(request.GET),
            "filtres": [(cle, request.GET[cle]) for cle in (*FILTRES_COUVERTURE, "page") if request.GET.get(cle)],
            "total": total,
            "couverts": couverts,
            "nb_sans_rupn": total - couverts,
            "taux_couverture": 100 * couverts / total if total else None,
            "peut_relancer": request.user.role_actif.type == Role.Type.DANE,
            "jours_relance": settings.RUPN_RELANCE_JOURS,
        },
    )


@require_POST
@role_requis(Role.Type.DANE)
def couverture_relancer(request):
    annee = annee_demandee(request)
    retour = url_avec(
        "missions:couverture",
        annee=annee.code,
        **{cle: request.POST.get(cle) for cle in (*FILTRES_COUVERTURE, "page")},
    )
    if request.POST.get("action") == "tous":
        formulaire, etablissements = _couverture_filtree(request, request.POST)
        if not formulaire.is_valid():
            messages.error(request, "Ces filtres ne correspondent pas à votre académie : aucun courriel n'est parti.")
            return redirect(retour)
        demandes = None
    else:
        demandes = uuids(request.POST.getlist("etablissements"))
        if not demandes:
            messages.warning(request, "Cochez au moins un établissement à relancer, ou relancez toute la liste.")
            return redirect(retour)
        etablissements = Etablissement.objects.visible_to(request.user).ouverts().filter(uuid__in=demandes)
    # Un établissement couvert entre-temps, fermé ou d'une autre académie est ignoré.
    cibles = list(_sans_rupn(etablissements, annee).select_related("academie").order_by("nom", "uai"))
    relances, sans_direction = services.couverture_relancer(
        etablissements=cibles, annee=annee, par=request.user, url_absolue=request.build_absolute_uri
    )
    recents = len(cibles) - relances - sans_direction
    texte = [f"{en_nombre(relances, 'établissement relancé', 'établissements relancés')}."]
    if recents:
        texte.append(
            f"{en_nombre(recents, 'déjà relancé', 'déjà relancés')} depuis moins de "
            f"{settings.RUPN_RELANCE_JOURS} jours : pas de nouveau courriel."
        )
    if sans_direction:
        texte.append(
            f"{sans_direction} sans direction connue ni adresse électronique : invitez le chef d'établissement "
            "ou complétez l'annuaire."
        )
    if demandes is not None and len(demandes) > len(cibles):
        ignores = len(demandes) - len(cibles)
        texte.append(
            f"{en_nombre(ignores, 'ignoré', 'ignorés')} : "
            "un RUPN y a accepté sa désignation, ou hors de votre académie."
        )
    (messages.success if relances else messages.warning)(request, " ".join(texte))
    return redirect(retour)


# Enveloppes d'IMP


def _avec_enveloppes(etablissements, annee):
    """Annote l'enveloppe de l'année (None si elle n'est pas fixée), le montant engagé par les
    désignations et `depassee` : l'engagé dépasse une enveloppe fixée."""
    enveloppe = Enveloppe.objects.filter(etablissement=OuterRef("pk"), annee=annee).values("montant")[:1]
    engage = (
        Designation.objects.filter(etablissement=OuterRef("pk"), annee=annee)
        .engagees()
        .order_by()
        .values("etablissement")
        .annotate(total=Sum("montant"))
        .values("total")
    )
    return etablissements.annotate(
        montant_enveloppe=Subquery(enveloppe, output_field=EUROS),
        montant_engage=Coalesce(Subquery(engage, output_field=EUROS), Value(Decimal(0)), output_field=EUROS),
    ).annotate(
        depassee=Case(
            When(montant_enveloppe__isnull=False, montant_engage__gt=F("montant_enveloppe"), then=True),
            default=False,
            output_field=BooleanField(),
        )
    )


@role_requis(Role.Type.DANE)
def enveloppe_liste(request):
    annee = annee_demandee(request)
    visibles = Etablissement.objects.visible_to(request.user)
    envoi = request.method == "POST"
    import_form = ImportEnveloppesForm(request.POST if envoi else None, request.FILES if envoi else None)
    erreurs_import = []
    if envoi and import_form.is_valid():
        fichier = import_form.cleaned_data["fichier"]
        try:
            bilan = importer_enveloppes(
                contenu=fichier.read(), nom_fichier=fichier.name, etablissements=visibles, annee=annee
            )
        except ImportEnveloppesInvalide as erreur:
            erreurs_import = erreur.erreurs
        else:
            detail = [
                en_nombre(bilan.nouvelles, "nouvelle", "nouvelles"),
                en_nombre(bilan.modifiees, "modifiée", "modifiées"),
            ]
            if bilan.inchangees:
                detail.append(en_nombre(bilan.inchangees, "inchangée", "inchangées"))
            enregistrees = en_nombre(bilan.total, "enveloppe enregistrée", "enveloppes enregistrées")
            messages.success(request, f"{enregistrees} pour {annee} ({', '.join(detail)}).")
            return redirect(url_avec("missions:enveloppe_liste", annee=annee.code))
    ouverts = visibles.ouverts()
    formulaire = EnveloppeFiltreForm(request.GET or None, etablissements=ouverts)
    etablissements = formulaire.filtrer(_avec_enveloppes(ouverts, annee))
    totaux = etablissements.aggregate(
        enveloppes=Sum("montant_enveloppe"),
        engage=Sum("montant_engage"),
        depassements=Count("pk", filter=Q(depassee=True)),
        sans_enveloppe=Count("pk", filter=Q(montant_enveloppe__isnull=True)),
    )
    page = Paginator(etablissements.select_related("departement").order_by("nom", "uai"), PAR_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "missions/enveloppe_liste.html",
        {
            "annee": annee,
            "annees": annees_proposees(),
            "form": formulaire,
            "import_form": import_form,
            "erreurs_import": erreurs_import,
            "page": page,
            "parametres": parametres_sans_page(request.GET),
            "totaux": totaux,
        },
    )


@role_requis(Role.Type.DANE)
def enveloppe_modifier(request, uuid):
    annee = annee_demandee(request)
    etablissement = get_object_or_404(
        Etablissement.objects.visible_to(request.user).ouverts().avec_donnees_liste(), uuid=uuid
    )
    enveloppe = Enveloppe.objects.filter(etablissement=etablissement, annee=annee).first()
    formulaire = EnveloppeForm(
        request.POST if request.method == "POST" else None,
        initial={"montant": number_format(enveloppe.montant, 2) if enveloppe else ""},
    )
    if request.method == "POST" and formulaire.is_valid():
        montant = formulaire.cleaned_data["montant"]
        try:
            services.enveloppe_fixer(etablissement=etablissement, annee=annee, montant=montant)
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(request, f"Enveloppe de {etablissement.nom} pour {annee} : {euros(montant)}.")
            return redirect(url_avec("missions:enveloppe_liste", annee=annee.code))
    engage = (
        Designation.objects.filter(etablissement=etablissement, annee=annee)
        .engagees()
        .aggregate(total=Sum("montant"), nombre=Count("pk"))
    )
    return render(
        request,
        "missions/enveloppe_modifier.html",
        {
            "annee": annee,
            "annees": annees_proposees(),
            "etablissement": etablissement,
            "enveloppe": enveloppe,
            "engage": engage["total"] or Decimal(0),
            "nb_designations": engage["nombre"],
            "form": formulaire,
        },
    )


# Taux d'IMP


@role_requis(Role.Type.DANE)
def taux_parametres(request):
    academie = request.user.role_actif.academie
    en_vigueur = TauxIMP.objects.en_vigueur(timezone.localdate())
    formulaire = TauxAutorisesForm(
        request.POST if request.method == "POST" else None,
        taux_en_vigueur=en_vigueur,
        initial={"taux": en_vigueur.filter(academies=academie)},
    )
    if request.method == "POST" and formulaire.is_valid():
        # Les taux qui ne sont pas en vigueur aujourd'hui (anciens ou à venir) ne sont pas sur la page :
        # ils gardent leur autorisation.
        hors_page = academie.taux_imp.exclude(pk__in=en_vigueur.values("pk"))
        try:
            services.taux_autoriser(academie=academie, taux=[*formulaire.cleaned_data["taux"], *hors_page])
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            autorises = ", ".join(taux.montant_affiche for taux in formulaire.cleaned_data["taux"])
            messages.success(request, f"Taux d'IMP autorisés pour les nouvelles désignations : {autorises}.")
            return redirect("missions:taux_parametres")
    return render(request, "missions/taux_parametres.html", {"form": formulaire, "academie": academie})
