"""Contrôle d'accès des vues : rôle requis (403) et objets hors périmètre (404)."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def role_requis(*types):
    """La vue n'est ouverte qu'aux rôles actifs de ces types ; sinon 403."""

    def decorateur(vue):
        @wraps(vue)
        def enveloppe(request, *args, **kwargs):
            role = getattr(request.user, "role_actif", None)
            if role is None or role.type not in types:
                raise PermissionDenied("Votre rôle actuel ne donne pas accès à cette page.")
            return vue(request, *args, **kwargs)

        return enveloppe

    return decorateur
