"""Développement et démonstration : SQLite, courriels affichés dans la console."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-seulement-pas-secret-" + "x" * 40)

from rupn.env import env_bool, env_str  # noqa: E402
from rupn.settings.base import *  # noqa: E402,F403

DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Les comptes de démonstration se connectent sans application d'authentification ;
# RUPN_MFA_OBLIGATOIRE=true rétablit l'exigence de production.
RUPN_MFA_OBLIGATOIRE = env_bool("RUPN_MFA_OBLIGATOIRE", False)
WHITENOISE_AUTOREFRESH = True
# Sceau des lettres : certificat auto-signé de démonstration, créé par `charger_demo` s'il manque.
RUPN_SCEAU_PKCS12 = env_str("RUPN_SCEAU_PKCS12", str(BASE_DIR / "var" / "sceau-demonstration.p12"))  # noqa: F405
RUPN_SCEAU_MOT_DE_PASSE = env_str("RUPN_SCEAU_MOT_DE_PASSE", "demonstration-seulement")
