"""Vérification publique d'une lettre scellée (sans connexion) : par son code, son code QR ou son PDF."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from lettres.forms_verification import TAILLE_MAX_MO, PdfEnMemoire, VerificationFichierForm
from lettres.verification import CodeMalForme, normaliser_code, verdict_pour_code, verdict_pour_fichier


def _page(request, *, verdict=None, code="", erreur_code="", code_inconnu="", formulaire=None, status=200):
    return render(
        request,
        "lettres/verification.html",
        {
            "verdict": verdict,
            "code": code,
            "erreur_code": erreur_code,
            "code_inconnu": code_inconnu,
            "formulaire": formulaire or VerificationFichierForm(),
            "taille_max_mo": TAILLE_MAX_MO,
        },
        status=status,
    )


@login_not_required
@csrf_exempt  # le jeton CSRF est contrôlé par `_verifier_fichier`, une fois le gestionnaire de réception posé
@require_http_methods(["GET", "HEAD", "POST"])
def verification(request):
    """GET : la page, ou le code saisi (renvoyé vers sa page). POST : un PDF à vérifier."""
    if request.method == "POST":
        # Le fichier reste en mémoire, borné : il n'est jamais écrit sur disque ni conservé.
        request.upload_handlers = [PdfEnMemoire(request)]
        return _verifier_fichier(request)
    if "code" not in request.GET:
        return _page(request)
    saisie = request.GET["code"]
    try:
        code = normaliser_code(saisie)
    except CodeMalForme as erreur:
        return _page(request, code=saisie[:40], erreur_code=str(erreur))
    return redirect("lettres:verification_code", code=code)


@csrf_protect
def _verifier_fichier(request):
    formulaire = VerificationFichierForm(request.POST, request.FILES)
    if not formulaire.is_valid():
        return _page(request, formulaire=formulaire)
    verdict = verdict_pour_fichier(formulaire.cleaned_data["fichier"])
    return _page(request, verdict=verdict, formulaire=VerificationFichierForm())


@login_not_required
@require_GET
def verification_code(request, code):
    """La page d'une lettre par son code (adresse du code QR) : 404 pour un code mal formé ou inconnu."""
    try:
        normalise = normaliser_code(code)
    except CodeMalForme as erreur:
        return _page(request, code=code[:40], erreur_code=str(erreur), status=404)
    if normalise != code:
        return redirect("lettres:verification_code", code=normalise)
    verdict = verdict_pour_code(normalise)
    if verdict is None:
        return _page(request, code=normalise, code_inconnu=normalise, status=404)
    return _page(request, verdict=verdict, code=normalise)
