"""Ce que partagent les tests de la grille de maturité : items de la grille courante, remplissage par le service
ou en masse, niveau recalculé à la main (sans le code de rupn/maturite/services.py)."""

from rupn.comptes.models import Role
from rupn.maturite.models import Grille, Item, Positionnement
from tests.conftest import _personne

REALISE = Positionnement.Statut.REALISE
EN_COURS = Positionnement.Statut.EN_COURS
NON_REALISE = Positionnement.Statut.NON_REALISE


def items_de(etablissement, domaine=None, niveau=None):
    items = Item.objects.filter(domaine__grille=Grille.objects.courante(etablissement.academie))
    if domaine:
        items = items.filter(domaine__code=domaine)
    if niveau:
        items = items.filter(niveau=niveau)
    return list(items.select_related("domaine").order_by("domaine__ordre", "niveau", "ordre"))


def en_role(personne):
    """Le rôle actif que le middleware poserait dans une requête."""
    personne.role_actif = personne.roles.get()
    return personne


def direction_de(etablissement, numero):
    return en_role(_personne(f"direction.{numero}@rupn.example", type=Role.Type.CHEF, etablissement=etablissement))


def planter(etablissement, annee, par, statuts):
    """Écrit des positionnements sans le service (ni niveaux) : {(domaine, niveau): statut} pour tous les items
    de ces niveaux de la grille courante."""
    Positionnement.objects.bulk_create(
        Positionnement(etablissement=etablissement, annee=annee, item=item, statut=statut, modifie_par=par)
        for (domaine, niveau), statut in statuts.items()
        for item in items_de(etablissement, domaine, niveau)
    )


def niveaux_a_la_main(etablissement, annee):
    """{domaine: niveau} recalculé item par item d'après la grille courante et les positionnements relus par code ;
    {} si aucun item n'est renseigné."""
    lignes = Positionnement.objects.filter(etablissement=etablissement, annee=annee)
    statuts = {
        (domaine, code): statut
        for domaine, code, statut in lignes.values_list("item__domaine__code", "item__code", "statut")
    }
    if not statuts:
        return {}
    niveaux = {}
    for domaine in Grille.objects.courante(etablissement.academie).domaines.all():
        niveau = 0
        for candidat in (1, 2, 3):
            items = domaine.items.filter(niveau__lte=candidat)
            if all(statuts.get((domaine.code, item.code)) == REALISE for item in items):
                niveau = candidat
            else:
                break
        niveaux[domaine.code] = niveau
    return niveaux


def remplir(etablissement, annee, par, domaine, statuts_par_niveau):
    """Positionne par le service tous les items des niveaux donnés ({niveau: statut})."""
    from rupn.maturite.services import positionner

    en_role(par)
    for niveau, statut in statuts_par_niveau.items():
        for item in items_de(etablissement, domaine, niveau):
            positionner(etablissement=etablissement, annee=annee, item=item, statut=statut, par=par)
