"""Rôles valides et rôle actif d'une personne (celui qu'elle a choisi dans le menu)."""

from rupn.comptes.models import Role

# Ordre de préférence du rôle actif par défaut.
_PRIORITE = [
    Role.Type.NATIONAL,
    Role.Type.DANE,
    Role.Type.CORRESPONDANT,
    Role.Type.CHEF,
    Role.Type.ADJOINT,
    Role.Type.RUPN,
]


def charger_roles(user, uuid_choisi=None):
    """Renseigne user.roles_valides et user.role_actif (None si la personne n'a aucun rôle)."""
    roles = sorted(
        Role.objects.filter(utilisateur=user).valides().select_related("etablissement", "academie"),
        key=lambda role: (_PRIORITE.index(role.type), role.pk),
    )
    user.roles_valides = roles
    user.role_actif = next((r for r in roles if str(r.uuid) == uuid_choisi), roles[0] if roles else None)
    return user.role_actif
