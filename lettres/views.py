"""Pages des lettres de mission : le modèle de lettre de l'académie (DANE) et ses versions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render

from lettres import services
from lettres.forms import ModeleLettreForm
from lettres.modele_par_defaut import BLOCS
from lettres.models import ModeleLettre
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role


def _version_de_depart(request):
    """Le numéro de la version affichée quand la personne a ouvert le formulaire (champ caché)."""
    try:
        return int(request.POST.get("depuis", ""))
    except ValueError:
        return None


@role_requis(Role.Type.DANE)
def modele(request):
    """Le modèle courant de l'académie de la DANE, à modifier, et l'historique de ses versions."""
    academie = request.user.role_actif.academie
    courant = ModeleLettre.objects.visible_to(request.user).courant(academie)
    formulaire = ModeleLettreForm(request.POST or None, modele=courant)
    if request.method == "POST" and formulaire.is_valid():
        try:
            version, creee = services.modele_enregistrer(
                academie=academie,
                contenu=formulaire.contenu,
                par=request.user,
                commentaire=formulaire.cleaned_data["commentaire"],
                depuis=_version_de_depart(request),
            )
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
            # La version dont repart un nouvel envoi : celle que l'on vient de signaler.
            courant = ModeleLettre.objects.courant(academie)
        else:
            if creee:
                messages.success(
                    request,
                    f"Version {version.version} enregistrée ; les lettres déjà rédigées gardent la version dont "
                    "elles partent.",
                )
            else:
                messages.info(
                    request,
                    f"Le modèle n'a pas changé : la version {version.version} reste en vigueur, aucune nouvelle "
                    "version n'est enregistrée.",
                )
            return redirect("lettres:modele")
    versions = (
        ModeleLettre.objects.visible_to(request.user)
        .filter(academie=academie)
        .select_related("cree_par")
        .defer("contenu")
        .order_by("-version")
    )
    return render(
        request,
        "lettres/modele_modifier.html",
        {"academie": academie, "courant": courant, "form": formulaire, "versions": versions},
    )


def _paragraphes(texte):
    return [ligne for ligne in texte.splitlines() if ligne.strip()]


def _apercu(contenu):
    """Le contenu d'une version comme la lettre le présente : paragraphes, axes, blocs titrés (vides omis)."""
    blocs = [(titre, _paragraphes(contenu[cle])) for cle, titre in BLOCS.items() if cle != "preambule"]
    return {
        "preambule": _paragraphes(contenu["preambule"]),
        "axes": contenu["axes"],
        "blocs": [(titre, paragraphes) for titre, paragraphes in blocs if paragraphes],
    }


@role_requis(Role.Type.DANE, Role.Type.NATIONAL)
def modele_version(request, uuid):
    """Une version du modèle, en lecture seule, telle que la verra un chef d'établissement."""
    version = get_object_or_404(
        ModeleLettre.objects.visible_to(request.user).select_related("academie", "cree_par"), uuid=uuid
    )
    derniere = ModeleLettre.objects.filter(academie=version.academie_id).aggregate(derniere=Max("version"))
    return render(
        request,
        "lettres/modele_version.html",
        {
            "modele": version,
            "apercu": _apercu(version.contenu),
            "est_courante": version.version == derniere["derniere"],
            "peut_modifier": request.user.role_actif.type == Role.Type.DANE,
        },
    )
