"""Le parcours d'un fichier de l'annuaire déposé par la DANE : dépôt, analyse (simulation),
aperçu, confirmation (import réel) ou abandon. Analyse et import tournent en arrière-plan
et notent leur avancement sur le dépôt, que la page d'aperçu relit."""

import hashlib
import logging

from django.db import transaction

from rupn.taches import lancer_apres_validation
from rupn.territoires.annuaire import AnnuaireInvalide, importer_annuaire, lire_lignes
from rupn.territoires.models import ImportAnnuaire

logger = logging.getLogger(__name__)
ERREUR_INATTENDUE = "erreur inattendue pendant le traitement ; réessayez, puis contactez l'assistance si elle persiste"


def verifier_entete(contenu: bytes):
    """Refuse tout de suite un fichier illisible ou qui n'est pas l'annuaire (lève AnnuaireInvalide)."""
    next(lire_lignes(contenu), None)


@transaction.atomic
def depot_creer(*, academie, auteur, fichier, contenu):
    """Enregistre le fichier déposé et lance son analyse."""
    depot = ImportAnnuaire(
        academie=academie,
        nom_fichier=fichier.name[:255],
        empreinte=hashlib.sha256(contenu).hexdigest(),
        auteur=auteur,
        statut=ImportAnnuaire.Statut.ANALYSE,
        etape="en attente",
    )
    fichier.seek(0)
    depot.fichier.save(fichier.name, fichier, save=False)
    depot.save()
    lancer_apres_validation(analyser, depot.pk)
    return depot


@transaction.atomic
def depot_confirmer(*, depot):
    """Passe un aperçu en import et lance l'import réel (lève AnnuaireInvalide s'il n'est plus à confirmer)."""
    depot = _apercu_verrouille(depot)
    _noter(depot, statut=ImportAnnuaire.Statut.IMPORT, avancement=0, etape="en attente", erreur="")
    lancer_apres_validation(importer, depot.pk)
    return depot


@transaction.atomic
def depot_abandonner(*, depot):
    _noter(_apercu_verrouille(depot), statut=ImportAnnuaire.Statut.ABANDONNE)


def _apercu_verrouille(depot):
    """Le dépôt, verrouillé jusqu'à la fin de la transaction : deux clics simultanés n'agissent qu'une fois."""
    depot = ImportAnnuaire.objects.select_for_update().get(pk=depot.pk)
    if depot.statut != ImportAnnuaire.Statut.APERCU:
        raise AnnuaireInvalide(f"cet import est déjà {depot.get_statut_display().lower()}.")
    return depot


def depot_en_ligne_de_commande(academie, chemin, contenu):
    """L'entrée d'historique d'un import lancé par une commande (sans auteur ni copie du fichier)."""
    return ImportAnnuaire(
        academie=academie, nom_fichier=chemin.name[:255], empreinte=hashlib.sha256(contenu).hexdigest()
    )


def analyser(pk):
    """Simulation complète : l'aperçu montre exactement ce que l'import changera."""
    depot = ImportAnnuaire.objects.select_related("academie").get(pk=pk)
    try:
        bilan = importer_annuaire(_contenu(depot), depot.academie, simulation=True, progression=_suivi(depot))
    except AnnuaireInvalide as erreur:
        _noter(depot, statut=ImportAnnuaire.Statut.ECHEC, erreur=str(erreur), etape="")
    except Exception:
        logger.exception("Analyse de l'import %s", depot.uuid)
        _noter(depot, statut=ImportAnnuaire.Statut.ECHEC, erreur=ERREUR_INATTENDUE, etape="")
    else:
        _noter(depot, statut=ImportAnnuaire.Statut.APERCU, bilan=bilan.en_dict(), avancement=100, etape="")


def importer(pk):
    """Import réel d'un aperçu confirmé ; en cas d'échec, rien n'est modifié et l'aperçu reste à confirmer."""
    depot = ImportAnnuaire.objects.select_related("academie").get(pk=pk)
    try:
        # La DANE a vu dans l'aperçu les établissements qui seront fermés.
        importer_annuaire(
            _contenu(depot),
            depot.academie,
            simulation=False,
            depot=depot,
            progression=_suivi(depot),
            fermetures_confirmees=True,
        )
    except Exception as erreur:
        if not isinstance(erreur, AnnuaireInvalide):
            logger.exception("Import %s", depot.uuid)
        motif = str(erreur) if isinstance(erreur, AnnuaireInvalide) else ERREUR_INATTENDUE
        _noter(depot, statut=ImportAnnuaire.Statut.APERCU, erreur=f"l'import n'a pas été fait : {motif}", etape="")


def _contenu(depot):
    with depot.fichier.open("rb") as fichier:
        return fichier.read()


def _suivi(depot):
    def progression(message, pourcentage):
        _noter(depot, avancement=pourcentage, etape=message)

    return progression


def _noter(depot, **champs):
    for nom, valeur in champs.items():
        setattr(depot, nom, valeur)
    depot.save(update_fields=[*champs, "maj_le"])
