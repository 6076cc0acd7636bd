"""En cours d'écriture (voir missions/urls.py)."""

from django.http import Http404


def mes_designations(request, *args, **kwargs):
    raise Http404


def designation_accepter(request, *args, **kwargs):
    raise Http404


def designation_refuser(request, *args, **kwargs):
    raise Http404


def designation_repondre(request, *args, **kwargs):
    raise Http404

