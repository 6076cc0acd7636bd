"""La page d'accueil de chaque rôle : ce que la personne a à faire."""

from django.db.models import Count, Q

from rupn.comptes.models import Invitation, Role
from rupn.territoires.models import (
    Academie,
    AnneeScolaire,
    Etablissement,
    ImportAnnuaire,
)


def contexte_accueil(user):
    role = user.role_actif
    contexte = {"role": role, "annee": AnneeScolaire.objects.courante(), "taches": []}
    if role is None:
        return contexte
    etablissements = Etablissement.objects.visible_to(user)
    if role.est_national:
        contexte["academies"] = Academie.objects.annotate(
            nb_etablissements=Count("etablissements", filter=Q(etablissements__ouvert=True))
        )
    elif role.type in (Role.Type.DANE, Role.Type.CORRESPONDANT):
        contexte["nb_etablissements"] = etablissements.ouverts().count()
        if role.type == Role.Type.DANE:
            dernier = ImportAnnuaire.objects.filter(academie_id=role.academie_id, statut="importe").first()
            contexte["dernier_import"] = dernier
            if dernier is None:
                contexte["taches"].append("importer_annuaire")
    else:
        contexte["etablissement"] = role.etablissement
    if role.type in (Role.Type.DANE, Role.Type.CHEF, Role.Type.ADJOINT):
        contexte["invitations_en_attente"] = Invitation.objects.visible_to(user).en_attente().count()
    return contexte
