from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from missions.views.communs import annee_demandee, annees_proposees
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.maturite import versions
from rupn.maturite.forms import GrilleModifierForm, MaturiteFiltreForm
from rupn.maturite.models import Grille, Item, Positionnement
from rupn.maturite.services import (
    CODES_DOMAINES,
    TITRES_DOMAINES,
    annee_precedente,
    distribution,
    distribution_par_territoire,
    positionner,
    synthese,
)
from rupn.territoires.models import AnneeScolaire, Etablissement


def _pourquoi_non_modifiable(annee):
    """Pourquoi la grille de l'année ne se remplit plus ; chaîne vide pour l'année en cours."""
    if annee == AnneeScolaire.objects.courante():
        return ""
    return f"La grille de {annee} n'est plus modifiable : seule celle de l'année en cours l'est."


@role_requis(*Role.TYPES_ETABLISSEMENT)
def grille(request):
    """La grille de l'établissement du rôle actif pour une année : la direction et le RUPN la remplissent
    (année en cours seulement). Chaque item s'enregistre dès qu'on le change (static/js/maturite.js, vue
    `item_enregistrer`) ; sans JavaScript, un bouton par domaine enregistre ses items."""
    etablissement = get_object_or_404(
        Etablissement.objects.visible_to(request.user).select_related("academie"),
        pk=request.user.role_actif.etablissement_id,
    )
    annee = annee_demandee(request)
    raison = _pourquoi_non_modifiable(annee)
    adresse = f"{reverse('maturite:grille')}?annee={annee.code}"
    if request.method == "POST":
        return _enregistrer_domaine(request, etablissement, annee, raison, adresse)
    return render(
        request,
        "maturite/grille_remplir.html",
        {
            "etablissement": etablissement,
            "annee": annee,
            "annees": annees_proposees(),
            "annee_precedente": annee_precedente(annee),
            "modifiable": not raison,
            "domaines": synthese(etablissement, annee),
            "statuts": Positionnement.Statut.choices,
        },
    )


def _enregistrer_domaine(request, etablissement, annee, raison, adresse):
    if raison:
        messages.error(request, raison)
        return HttpResponseRedirect(adresse)
    grille_courante = Grille.objects.courante(etablissement.academie)
    domaine = get_object_or_404(grille_courante.domaines, code=request.POST.get("domaine", ""))
    items = list(domaine.items.all())
    envoyes = {item: request.POST.get(f"item-{item.code}") for item in items}
    inconnus = [item for item, statut in envoyes.items() if statut and statut not in Positionnement.Statut.values]
    if inconnus:
        messages.error(
            request,
            f"Statut inconnu pour « {inconnus[0].libelle} » : "
            f"rien n'a été enregistré pour le domaine « {domaine.titre} ».",
        )
        return HttpResponseRedirect(f"{adresse}#domaine-{domaine.code}")
    # Par code : un item peut avoir été renseigné avec une version précédente de la grille.
    actuels = dict(
        Positionnement.objects.filter(
            etablissement=etablissement, annee=annee, item__domaine__code=domaine.code
        ).values_list("item__code", "statut")
    )
    enregistres = 0
    for item, statut in envoyes.items():
        if statut and actuels.get(item.code) != statut:
            try:
                positionner(etablissement=etablissement, annee=annee, item=item, statut=statut, par=request.user)
            except ValidationError as erreur:
                messages.error(request, " ".join(erreur.messages))
                return HttpResponseRedirect(f"{adresse}#domaine-{domaine.code}")
            enregistres += 1
    if enregistres:
        messages.success(
            request,
            f"Domaine « {domaine.titre} » enregistré : {enregistres} item{'s' if enregistres > 1 else ''} mis à jour.",
        )
    else:
        messages.info(request, f"Domaine « {domaine.titre} » : aucun changement à enregistrer.")
    return HttpResponseRedirect(f"{adresse}#domaine-{domaine.code}")


def _refus(message, status):
    return JsonResponse({"enregistre": False, "message": message}, status=status)


@require_POST
@role_requis(*Role.TYPES_ETABLISSEMENT)
def item_enregistrer(request, uuid):
    """Enregistre le statut d'un item (envoyé par static/js/maturite.js à chaque changement) ; répond en JSON :
    l'heure, le niveau recalculé du domaine et ses compteurs, ou un message d'erreur lisible (400 : envoi
    invalide, 403 : année passée). Établissement hors du périmètre du rôle actif : 404."""
    etablissement = get_object_or_404(
        Etablissement.objects.visible_to(request.user).select_related("academie"), uuid=uuid
    )
    annee = annee_demandee(request)
    if raison := _pourquoi_non_modifiable(annee):
        return _refus(raison, 403)
    item = (
        Item.objects.filter(
            domaine__grille=Grille.objects.courante(etablissement.academie),
            domaine__code=request.POST.get("domaine", ""),
            code=request.POST.get("item", ""),
        )
        .select_related("domaine")
        .first()
    )
    if item is None:
        return _refus("Cet item n'est pas dans la grille en vigueur : rechargez la page.", 400)
    try:
        positionnement = positionner(
            etablissement=etablissement, annee=annee, item=item, statut=request.POST.get("statut", ""), par=request.user
        )
    except ValidationError as erreur:
        return _refus(f"Non enregistré : {' '.join(erreur.messages)}", 400)
    ligne = next(ligne for ligne in synthese(etablissement, annee) if ligne["domaine"].code == item.domaine.code)
    heure = timezone.localtime(positionnement.modifie_le).strftime("%H:%M")
    return JsonResponse(
        {
            "enregistre": True,
            "heure": heure,
            "message": f"Enregistré à {heure}.",
            "domaine": item.domaine.code,
            "niveau": ligne["niveau"],
            "realises": ligne["realises"],
            "en_cours": ligne["en_cours"],
            "total": ligne["total"],
            "evolution": ligne["evolution"],
        }
    )


@role_requis(*Role.TYPES_ACADEMIQUES)
def academie(request):
    """La distribution des niveaux atteints par domaine, pour l'année et les établissements visibles filtrés,
    puis par département (par bassin quand un département est choisi)."""
    annee = annee_demandee(request)
    visibles = Etablissement.objects.visible_to(request.user)
    formulaire = MaturiteFiltreForm(request.GET, etablissements=visibles)
    etablissements = formulaire.filtrer(visibles)
    resultat = distribution(etablissements, annee)
    territoire = "bassin" if formulaire.is_valid() and formulaire.cleaned_data["departement"] else "departement"
    return render(
        request,
        "maturite/grille_academie.html",
        {
            "annee": annee,
            "annees": annees_proposees(),
            "form": formulaire,
            "remplis": resultat["remplis"],
            "domaines": resultat["domaines"],
            "titres_domaines": [TITRES_DOMAINES[code] for code in CODES_DOMAINES],
            "territoire": territoire,
            "territoires": distribution_par_territoire(etablissements, annee, territoire),
            "peut_modifier_grille": request.user.role_actif.type == Role.Type.DANE,
        },
    )


@role_requis(Role.Type.DANE)
def grille_modifier(request):
    """La grille en vigueur de l'académie de la DANE, à modifier (libellés, items retirés ou ajoutés) : un
    enregistrement crée la version suivante ; l'historique des versions suit."""
    academie = request.user.role_actif.academie
    courante = Grille.objects.courante(academie)
    formulaire = GrilleModifierForm(request.POST if request.method == "POST" else None, grille=courante)
    if request.method == "POST" and formulaire.is_valid():
        try:
            version, creee = versions.grille_enregistrer(
                academie=academie,
                contenu=formulaire.contenu,
                par=request.user,
                commentaire=formulaire.cleaned_data["commentaire"],
                depuis=_version_de_depart(request),
            )
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            if creee:
                messages.success(
                    request,
                    f"Version {version.version} de la grille enregistrée : les établissements la remplissent "
                    "désormais ; les items gardés conservent leur historique.",
                )
            else:
                messages.info(
                    request,
                    f"La grille n'a pas changé : la version {version.version} reste en vigueur, aucune nouvelle "
                    "version n'est enregistrée.",
                )
            return redirect("maturite:grille_modifier")
    return render(
        request,
        "maturite/grille_modifier.html",
        {
            "academie": academie,
            "courante": courante,
            "form": formulaire,
            "versions": Grille.objects.filter(academie=academie).select_related("cree_par").order_by("-version"),
        },
        status=400 if formulaire.errors else 200,
    )


def _version_de_depart(request):
    """Le numéro de la version affichée quand la personne a ouvert le formulaire (champ caché)."""
    try:
        return int(request.POST.get("depuis", ""))
    except ValueError:
        return None


@role_requis(Role.Type.DANE)
def grille_version(request, version):
    """Une version de la grille de l'académie, en lecture seule, avec ce qu'elle change depuis la précédente."""
    academie = request.user.role_actif.academie
    Grille.objects.courante(academie)  # la version 1 existe dès la première lecture
    grille_lue = get_object_or_404(Grille.objects.select_related("cree_par"), academie=academie, version=version)
    precedente = Grille.objects.filter(academie=academie, version=version - 1).first()
    avant = (
        {
            (domaine["code"], code): libelle
            for domaine in versions.contenu_de(precedente)
            for code, _, libelle in domaine["items"]
        }
        if precedente
        else None
    )
    domaines = list(grille_lue.domaines.prefetch_related("items"))
    for domaine in domaines:
        domaine.items_lus = list(domaine.items.all())
        for item in domaine.items_lus:
            item.changement = ""
            if avant is not None:
                libelle_avant = avant.pop((domaine.code, item.code), None)
                if libelle_avant is None:
                    item.changement = "Ajouté"
                elif libelle_avant != item.libelle:
                    item.changement = "Libellé modifié"
    return render(
        request,
        "maturite/grille_version.html",
        {
            "grille": grille_lue,
            "domaines": domaines,
            "precedente": precedente,
            "retires": [] if avant is None else sorted(avant.items()),
            "est_courante": not Grille.objects.filter(academie=academie, version__gt=version).exists(),
        },
    )
