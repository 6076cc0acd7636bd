"""Travaux longs lancés depuis une page : exécutés dans un fil d'exécution à part, après la
validation de la transaction qui les demande, pour que la page réponde tout de suite.

Le travail suit lui-même son avancement en base (voir ImportAnnuaire) : la page le relit.
En test (RUPN_TACHES_SYNCHRONES), il s'exécute aussitôt, dans la requête.
"""

import logging
import threading

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)


def lancer_apres_validation(fonction, *args):
    if settings.RUPN_TACHES_SYNCHRONES:
        fonction(*args)
        return
    # Après validation : le fil d'exécution, avec sa propre connexion, doit voir ce qui l'a demandé.
    transaction.on_commit(
        lambda: threading.Thread(target=_executer, args=(fonction, *args), daemon=True, name=fonction.__name__).start()
    )


def _executer(fonction, *args):
    try:
        fonction(*args)
    except Exception:
        logger.exception("Échec du travail en arrière-plan %s", fonction.__name__)
    finally:
        connections.close_all()
