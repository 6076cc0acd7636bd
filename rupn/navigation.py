"""Le menu principal de chaque rôle : (libellé, nom d'URL)."""

from django.urls import reverse

from rupn.comptes.models import Role

_MENUS = {
    Role.Type.NATIONAL: [
        ("Accueil", "accueil"),
        ("Tableau de bord", "pilotage:tableau_de_bord"),
        ("Établissements", "territoires:etablissement_liste"),
        ("Désignations", "missions:academie_designations"),
        ("Couverture", "missions:couverture"),
        ("Enquête de fin d'année", "enquetes:enquete_liste"),
        ("Maturité numérique", "maturite:academie"),
    ],
    Role.Type.DANE: [
        ("Accueil", "accueil"),
        ("Tableau de bord", "pilotage:tableau_de_bord"),
        ("Établissements", "territoires:etablissement_liste"),
        ("Désignations", "missions:academie_designations"),
        ("Couverture", "missions:couverture"),
        ("Enveloppes d'IMP", "missions:enveloppe_liste"),
        ("Lettres de mission", "lettres:academie_lettres"),
        ("Modèle de lettre de mission", "lettres:modele"),
        ("Enquête de fin d'année", "enquetes:enquete_liste"),
        ("Maturité numérique", "maturite:academie"),
        ("Grille de maturité", "maturite:grille_modifier"),
        ("Import de l'annuaire", "territoires:import_liste"),
        ("Invitations", "comptes:invitation_liste"),
        ("Paramètres de l'académie", "territoires:academie_parametres"),
    ],
    Role.Type.CORRESPONDANT: [
        ("Accueil", "accueil"),
        ("Tableau de bord", "pilotage:tableau_de_bord"),
        ("Établissements", "territoires:etablissement_liste"),
        ("Désignations", "missions:academie_designations"),
        ("Couverture", "missions:couverture"),
        ("Lettres de mission", "lettres:academie_lettres"),
        ("Enquête de fin d'année", "enquetes:enquete_liste"),
        ("Maturité numérique", "maturite:academie"),
    ],
    Role.Type.CHEF: [
        ("Accueil", "accueil"),
        ("Mon établissement", "pilotage:mon_etablissement"),
        ("Désignations des RUPN", "missions:designation_liste"),
        ("Lettres de mission", "lettres:lettre_liste"),
        ("Comptes-rendus des RUPN", "enquetes:comptes_rendus"),
        ("Maturité numérique", "maturite:grille"),
        ("Invitations", "comptes:invitation_liste"),
    ],
    Role.Type.ADJOINT: [
        ("Accueil", "accueil"),
        ("Mon établissement", "pilotage:mon_etablissement"),
        ("Désignations des RUPN", "missions:designation_liste"),
        ("Lettres de mission", "lettres:lettre_liste"),
        ("Comptes-rendus des RUPN", "enquetes:comptes_rendus"),
        ("Maturité numérique", "maturite:grille"),
        ("Invitations", "comptes:invitation_liste"),
    ],
    Role.Type.RUPN: [
        ("Accueil", "accueil"),
        ("Mes désignations", "missions:mes_designations"),
        ("Mes lettres de mission", "lettres:mes_lettres"),
        ("Journal d'activités", "missions:journal"),
        ("Enquête de fin d'année", "enquetes:mes_enquetes"),
        ("Maturité numérique", "maturite:grille"),
    ],
}


def menu_pour(role):
    if role is None:
        return [("Accueil", reverse("accueil"))]
    return [(libelle, reverse(nom)) for libelle, nom in _MENUS[role.type]]
