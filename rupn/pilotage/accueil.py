"""La page d'accueil de chaque rôle : ce que la personne a à faire."""

from django.db.models import Count, Exists, OuterRef, Q

from enquetes.models import Participation
from enquetes.services import STATUTS_PARTICIPANTS
from lettres.models import LettreMission
from lettres.services import designations_sans_lettre
from missions.models import Activite, Designation
from rupn.comptes.models import Invitation, Role
from rupn.territoires.models import (
    Academie,
    AnneeScolaire,
    Etablissement,
    ImportAnnuaire,
)


def contexte_accueil(user):
    role = user.role_actif
    annee = AnneeScolaire.objects.courante()
    contexte = {
        "role": role,
        "annee": annee,
        "taches": [],
        # Une proposition attend la réponse de la personne, quel que soit son rôle (ou sans rôle encore).
        "designations_en_attente": Designation.objects.filter(agent=user, statut=Designation.Statut.PROPOSEE).count(),
    }
    if role is None:
        return contexte
    etablissements = Etablissement.objects.visible_to(user)
    if role.est_national:
        contexte["academies"] = Academie.objects.annotate(
            nb_etablissements=Count("etablissements", filter=Q(etablissements__ouvert=True))
        )
    elif role.type in (Role.Type.DANE, Role.Type.CORRESPONDANT):
        contexte["nb_etablissements"] = etablissements.ouverts().count()
        designations = Designation.objects.visible_to(user).pour_annee(annee)
        contexte["designations_a_valider"] = designations.filter(statut=Designation.Statut.ACCEPTEE).count()
        contexte["etablissements_sans_rupn"] = (
            etablissements.ouverts()
            .exclude(Exists(designations.acceptees().filter(etablissement=OuterRef("pk"))))
            .count()
        )
        if role.type == Role.Type.DANE:
            dernier = ImportAnnuaire.objects.filter(academie_id=role.academie_id, statut="importe").first()
            contexte["dernier_import"] = dernier
            if dernier is None:
                contexte["taches"].append("importer_annuaire")
    else:
        contexte["etablissement"] = role.etablissement
        contexte["lettres_a_traiter"] = LettreMission.objects.attendant(user)
        if role.est_direction:
            contexte["designations_sans_lettre"] = designations_sans_lettre(role.etablissement, annee).count()
            de_l_annee = Designation.objects.filter(etablissement=role.etablissement, annee=annee)
            contexte["designations_de_l_annee"] = de_l_annee.engagees().count()
            contexte["designations_refusees"] = de_l_annee.filter(statut=Designation.Statut.REFUSEE).count()
            contexte["comptes_rendus_a_lire"] = (
                Participation.objects.visible_to(user)
                .filter(statut=Participation.Statut.SOUMISE, lue_le__isnull=True)
                .count()
            )
        elif role.type == Role.Type.RUPN:
            contexte["entrees_du_journal"] = Activite.objects.visible_to(user).pour_annee(annee).count()
            contexte["enquetes_a_remplir"] = list(
                Participation.objects.visible_to(user)
                .filter(enquete__annee=annee, enquete__lancee_le__isnull=False)
                .filter(designation__statut__in=STATUTS_PARTICIPANTS)
                .exclude(statut=Participation.Statut.SOUMISE)
                .select_related("enquete", "designation__etablissement")
            )
    if role.type in (Role.Type.DANE, Role.Type.CHEF, Role.Type.ADJOINT):
        contexte["invitations_en_attente"] = Invitation.objects.visible_to(user).en_attente().count()
    return contexte
