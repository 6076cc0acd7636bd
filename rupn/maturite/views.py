from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from missions.views.communs import annee_demandee, annees_proposees
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.maturite.forms import MaturiteFiltreForm
from rupn.maturite.models import Grille, Positionnement
from rupn.maturite.services import annee_precedente, distribution, positionner, synthese
from rupn.territoires.models import AnneeScolaire, Etablissement


@role_requis(*Role.TYPES_ETABLISSEMENT)
def grille(request):
    """La grille de l'établissement du rôle actif pour une année : la direction et le RUPN la remplissent
    (année en cours seulement), domaine par domaine, chaque item enregistré à part."""
    etablissement = get_object_or_404(
        Etablissement.objects.visible_to(request.user).select_related("academie"),
        pk=request.user.role_actif.etablissement_id,
    )
    annee = annee_demandee(request)
    modifiable = annee == AnneeScolaire.objects.courante()
    adresse = f"{reverse('maturite:grille')}?annee={annee.code}"
    if request.method == "POST":
        return _enregistrer_domaine(request, etablissement, annee, modifiable, adresse)
    return render(
        request,
        "maturite/grille_remplir.html",
        {
            "etablissement": etablissement,
            "annee": annee,
            "annees": annees_proposees(),
            "annee_precedente": annee_precedente(annee),
            "modifiable": modifiable,
            "domaines": synthese(etablissement, annee),
            "statuts": Positionnement.Statut.choices,
        },
    )


def _enregistrer_domaine(request, etablissement, annee, modifiable, adresse):
    if not modifiable:
        messages.error(request, f"La grille de {annee} n'est plus modifiable : seule l'année en cours l'est.")
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
    actuels = dict(
        Positionnement.objects.filter(etablissement=etablissement, annee=annee, item__in=items).values_list(
            "item_id", "statut"
        )
    )
    enregistres = 0
    for item, statut in envoyes.items():
        if statut and actuels.get(item.pk) != statut:
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


@role_requis(*Role.TYPES_ACADEMIQUES)
def academie(request):
    """La distribution des niveaux atteints par domaine, pour l'année et les établissements visibles filtrés."""
    annee = annee_demandee(request)
    visibles = Etablissement.objects.visible_to(request.user)
    formulaire = MaturiteFiltreForm(request.GET, etablissements=visibles)
    resultat = distribution(formulaire.filtrer(visibles), annee)
    return render(
        request,
        "maturite/grille_academie.html",
        {
            "annee": annee,
            "annees": annees_proposees(),
            "form": formulaire,
            "remplis": resultat["remplis"],
            "domaines": resultat["domaines"],
        },
    )
