"""En cours d'écriture (voir missions/urls.py)."""

from django.http import Http404


def designation_liste(request, *args, **kwargs):
    raise Http404


def designation_creer(request, *args, **kwargs):
    raise Http404


def designation_renouveler(request, *args, **kwargs):
    raise Http404


def designation_detail(request, *args, **kwargs):
    raise Http404


def designation_annuler(request, *args, **kwargs):
    raise Http404


def designation_terminer(request, *args, **kwargs):
    raise Http404

