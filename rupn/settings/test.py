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
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".pytest_media"  # noqa: F405
# Une variable de gabarit inconnue fait échouer le test qui l'affiche.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "!!VARIABLE INCONNUE %s!!"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
