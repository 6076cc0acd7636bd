"""Rédaction et relecture des lettres de mission : la direction crée la lettre de l'année pour des
désignations acceptées, la modifie et l'envoie en relecture ; ses RUPN la commentent et l'approuvent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lettres import services
from lettres.forms_redaction import LettreCreerForm, LettreForm
from lettres.models import LettreMission
from missions.models import Designation
from missions.views.communs import annee_demandee, annees_proposees
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role

direction_requise = role_requis(*Role.TYPES_DIRECTION)


def get_lettre_for_user(request, uuid):
    """La lettre si le rôle actif la laisse voir (sinon 404), avec ce que l'aperçu et les boutons lisent."""
    return get_object_or_404(LettreMission.objects.visible_to(request.user).pour_lecture(), uuid=uuid)


def revision_lue(request):
    """La révision de la lettre que la personne avait sous les yeux (champ caché)."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


def _noms(personnes):
    return ", ".join(str(personne) for personne in personnes)


@direction_requise
def lettre_creer(request):
    etablissement = request.user.role_actif.etablissement
    annee = annee_demandee(request)
    disponibles = services.designations_sans_lettre(etablissement, annee)
    formulaire = LettreCreerForm(request.POST if request.method == "POST" else None, disponibles=disponibles)
    if request.method == "POST" and formulaire.is_valid():
        try:
            lettre = services.lettre_creer(
                etablissement=etablissement,
                annee=annee,
                designations=formulaire.cleaned_data["designations"],
                par=request.user,
            )
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(
                request,
                f"La lettre de mission {annee} est créée à partir du modèle de l'académie (version "
                f"{lettre.modele.version}). Choisissez maintenant ses missions, axe par axe.",
            )
            return redirect("lettres:lettre_modifier", uuid=lettre.uuid)
    acceptees = Designation.objects.filter(
        etablissement=etablissement,
        annee=annee,
        statut__in=[Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE],
    )
    return render(
        request,
        "lettres/lettre_creer.html",
        {
            "form": formulaire,
            "annee": annee,
            "annees": annees_proposees(),
            "etablissement": etablissement,
            "nb_disponibles": disponibles.count(),
            "nb_acceptees": acceptees.count(),
        },
        status=400 if formulaire.errors else 200,
    )


def _page_des_lettres(role):
    """La liste d'où l'on vient, selon le rôle : celle de l'établissement, celle du RUPN, celle de l'académie."""
    if role.est_direction:
        return "lettres:lettre_liste", "Lettres de mission"
    if role.type == Role.Type.RUPN:
        return "lettres:mes_lettres", "Mes lettres de mission"
    return "lettres:academie_lettres", "Lettres de mission de l'académie"


def _fil(lettre):
    """Le fil de relecture : commentaires et approbations, dans l'ordre où ils ont été donnés."""
    commentaires = [("commentaire", commentaire) for commentaire in lettre.commentaires.select_related("auteur")]
    approbations = [("approbation", approbation) for approbation in lettre.approbations.all()]
    return sorted(commentaires + approbations, key=lambda element: element[1].cree_le)


def lettre_detail(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    user = request.user
    url_liste, libelle_liste = _page_des_lettres(user.role_actif)
    approbations = lettre.approbations_courantes()
    return render(
        request,
        "lettres/lettre_detail.html",
        {
            "lettre": lettre,
            "fil": _fil(lettre),
            "rupn": lettre.rupn(),
            "approuve_par": [approbation.rupn for approbation in approbations],
            "a_approuve": lettre.a_approuve(user),
            "peut_modifier": lettre.peut_modifier(user),
            "peut_envoyer": lettre.peut_envoyer(user),
            "peut_commenter": lettre.peut_commenter(user),
            "peut_approuver": lettre.peut_approuver(user),
            "peut_signer": lettre.peut_signer(user),
            "peut_annuler": lettre.peut_annuler(user),
            "peut_faire_un_avenant": lettre.peut_faire_un_avenant(user),
            "signatures": lettre.signatures.all(),
            "rupn_sans_signature": lettre.rupn_sans_signature(),
            "avenant": lettre.avenant_en_cours(),
            "avenant_scelle": lettre.avenant_scelle(),
            "url_liste": url_liste,
            "libelle_liste": libelle_liste,
            "longueur_commentaire": services.LONGUEUR_COMMENTAIRE,
        },
    )


@direction_requise
def lettre_modifier(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    if not lettre.modifiable:
        messages.error(
            request, f"Cette lettre est « {lettre.get_statut_display().lower()} » : elle ne se modifie plus."
        )
        return redirect(lettre)
    formulaire = LettreForm(request.POST if request.method == "POST" else None, lettre=lettre)
    conflit = None
    if request.method == "POST" and formulaire.is_valid():
        try:
            modification = services.lettre_modifier(
                lettre=lettre,
                contenu=formulaire.contenu,
                revision=formulaire.cleaned_data["revision"],
                par=request.user,
                url_absolue=request.build_absolute_uri,
            )
        except services.ConflitRevision as erreur:
            # Rien n'est écrit. La saisie reste dans le formulaire, qui part désormais de la révision
            # actuelle (affichée à côté) : l'enregistrer de nouveau la remplacera en connaissance de cause.
            conflit = erreur
            lettre = get_lettre_for_user(request, uuid)
            donnees = request.POST.copy()
            donnees["revision"] = str(lettre.revision)
            formulaire = LettreForm(donnees, lettre=lettre)
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            _annoncer(request, modification)
            return redirect(modification.lettre)
    statut = 409 if conflit else 400 if formulaire.errors else 200
    return render(
        request,
        "lettres/lettre_modifier.html",
        {
            "lettre": lettre,
            "form": formulaire,
            "conflit": conflit,
            "signatures": lettre.signatures.filter(annulee_le__isnull=True).select_related("signataire"),
        },
        status=statut,
    )


def _annoncer(request, modification):
    lettre = modification.lettre
    if not modification.enregistree:
        messages.info(request, f"Aucune modification : la lettre reste à la révision {lettre.revision}.")
        return
    messages.success(request, f"Lettre enregistrée (révision {lettre.revision}).")
    if modification.statut_precedent:
        etat = LettreMission.Statut(modification.statut_precedent).label.lower()
        messages.warning(
            request,
            f"Elle était « {etat} » : elle repasse en brouillon. Envoyez-la de nouveau en relecture quand elle est "
            "prête ; les approbations données portaient sur la version précédente.",
        )
    if modification.signataires_prevenus:
        messages.warning(
            request,
            f"Les signatures déjà données sont annulées ({_noms(modification.signataires_prevenus)}) : elles "
            "portaient sur la version précédente. Chaque signataire en est prévenu par courriel.",
        )


@require_POST
@direction_requise
def lettre_envoyer(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    try:
        lettre, envoyee = services.lettre_envoyer(
            lettre=lettre, revision=revision_lue(request), par=request.user, url_absolue=request.build_absolute_uri
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        if envoyee:
            messages.success(
                request,
                f"La lettre est envoyée en relecture à {_noms(lettre.rupn())} : un courriel les invite à la commenter "
                "ou à l'approuver. Vous serez prévenu(e) de chaque commentaire, puis quand elle sera prête à signer.",
            )
        else:
            messages.info(request, "La lettre était déjà en relecture.")
    return redirect(lettre)


@require_POST
def lettre_commenter(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    if not lettre.participe(request.user):
        raise PermissionDenied(
            "Seules la direction de l'établissement et les RUPN de la lettre participent à sa relecture."
        )
    try:
        services.lettre_commenter(
            lettre=lettre, texte=request.POST.get("texte", ""), par=request.user, url_absolue=request.build_absolute_uri
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(
            request, "Votre commentaire est ajouté au fil de relecture ; les autres participants en sont prévenus."
        )
    return redirect(f"{lettre.get_absolute_url()}#fil")


@require_POST
@role_requis(Role.Type.RUPN)
def lettre_approuver(request, uuid):
    lettre = get_lettre_for_user(request, uuid)
    try:
        lettre, nouvelle = services.lettre_approuver(
            lettre=lettre, revision=revision_lue(request), par=request.user, url_absolue=request.build_absolute_uri
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        if not nouvelle:
            messages.info(request, "Vous aviez déjà approuvé cette version de la lettre.")
        elif lettre.statut == LettreMission.Statut.SIGNATURE:
            messages.success(
                request,
                "Vous approuvez cette version. Chaque RUPN l'a approuvée : la lettre est prête à signer et la "
                "direction en est prévenue.",
            )
        else:
            messages.success(request, "Vous approuvez cette version ; elle attend l'approbation des autres RUPN.")
    return redirect(lettre)
