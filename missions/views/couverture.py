"""En cours d'écriture (voir missions/urls.py)."""

from django.http import Http404


def couverture(request, *args, **kwargs):
    raise Http404


def couverture_relancer(request, *args, **kwargs):
    raise Http404


def enveloppe_liste(request, *args, **kwargs):
    raise Http404


def enveloppe_modifier(request, *args, **kwargs):
    raise Http404


def taux_parametres(request, *args, **kwargs):
    raise Http404

