"""En cours d'écriture (voir missions/urls.py)."""

from django.http import Http404


def academie_designations(request, *args, **kwargs):
    raise Http404


def designations_valider(request, *args, **kwargs):
    raise Http404


def designation_export(request, *args, **kwargs):
    raise Http404

