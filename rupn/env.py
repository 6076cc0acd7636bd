"""Lecture typée des variables d'environnement : une valeur invalide lève une erreur claire."""

import os

from django.core.exceptions import ImproperlyConfigured

_VRAI = {"1", "true", "yes", "on", "oui", "vrai"}
_FAUX = {"0", "false", "no", "off", "non", "faux", ""}


def env_str(nom, defaut=None):
    """Valeur de la variable ; sans défaut, elle est obligatoire et ne peut pas être vide."""
    valeur = os.environ.get(nom)
    if valeur is None or (valeur == "" and defaut is None):
        if defaut is None:
            raise ImproperlyConfigured(f"La variable d'environnement {nom} est obligatoire.")
        return defaut
    return valeur


def env_bool(nom, defaut=False):
    valeur = os.environ.get(nom)
    if valeur is None:
        return defaut
    if valeur.strip().lower() in _VRAI:
        return True
    if valeur.strip().lower() in _FAUX:
        return False
    raise ImproperlyConfigured(f"{nom} doit valoir true ou false, pas « {valeur} ».")


def env_int(nom, defaut):
    valeur = os.environ.get(nom)
    if valeur is None:
        return defaut
    try:
        return int(valeur)
    except ValueError:
        raise ImproperlyConfigured(f"{nom} doit être un nombre entier, pas « {valeur} ».") from None


def env_list(nom, defaut=""):
    return [element.strip() for element in os.environ.get(nom, defaut).split(",") if element.strip()]
