"""Tests : la même base que la production, sans HTTPS ni services externes."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-seulement-pas-secret-" + "x" * 40)

from rupn.settings.base import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
RUPN_TACHES_SYNCHRONES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".pytest_media"  # noqa: F405


class VariableInconnue(str):
    """Fait échouer le rendu d'un gabarit qui affiche une variable inconnue (faute de frappe, contexte oublié)."""

    # Variables absentes par conception dans les gabarits d'allauth (codes de secours pas encore créés).
    TOLEREES = {"authenticators.recovery_codes.generate_codes", "authenticators.recovery_codes.get_unused_codes"}

    def __contains__(self, motif):
        return motif == "%s"

    def __mod__(self, variable):
        if str(variable) in self.TOLEREES:
            return ""
        raise NameError(f"Variable de gabarit inconnue : {variable}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = VariableInconnue("%s")  # noqa: F405
WHITENOISE_AUTOREFRESH = True
