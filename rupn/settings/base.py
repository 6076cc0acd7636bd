"""Réglages de production : sûrs par défaut, chaque valeur vient de l'environnement.

Les surcharges de développement et de test sont dans dev.py et test.py ;
chaque variable est décrite dans .env.example et docs/configuration.md.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from rupn.env import env_bool, env_int, env_list, env_str


def _origine(url):
    morceaux = urlsplit(url)
    return f"{morceaux.scheme}://{morceaux.netloc}"


BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Nom du service affiché dans l'en-tête DSFR.
RUPN_NOM_SERVICE = env_str("RUPN_NOM_SERVICE", "RUPN")
RUPN_SOUS_TITRE = env_str("RUPN_SOUS_TITRE", "Référents pour les ressources et usages pédagogiques numériques")
# Double authentification exigée des rôles académiques (DANE, correspondants, national) et des administrateurs.
RUPN_MFA_OBLIGATOIRE = env_bool("RUPN_MFA_OBLIGATOIRE", True)
# Durée de validité d'une invitation, en jours.
RUPN_INVITATION_JOURS = env_int("RUPN_INVITATION_JOURS", 14)
# Adresse publique du service : liens des courriels envoyés par les commandes (relances).
RUPN_URL_SITE = env_str("RUPN_URL_SITE", "http://127.0.0.1:8000")
# Une même personne n'est pas relancée plus souvent que tous les N jours.
RUPN_RELANCE_JOURS = env_int("RUPN_RELANCE_JOURS", 7)
# Sceau des lettres de mission : certificat de l'académie (PKCS#12) et son mot de passe.
# Vides, aucune lettre ne peut être scellée ni vérifiée (lettres/sceau.py le dit clairement).
RUPN_SCEAU_PKCS12 = env_str("RUPN_SCEAU_PKCS12", "")
RUPN_SCEAU_MOT_DE_PASSE = env_str("RUPN_SCEAU_MOT_DE_PASSE", "")
# Certificats (PEM ou DER) des sceaux précédents : les lettres scellées avant un renouvellement restent valides.
RUPN_SCEAU_CERTIFICATS_PRECEDENTS = env_list("RUPN_SCEAU_CERTIFICATS_PRECEDENTS", "")
# Mandataires inverses (adresses ou réseaux) dont on croit l'en-tête X-Forwarded-For : l'adresse IP
# enregistrée avec une signature en dépend (rupn/reseau.py). Vide : l'adresse de la connexion.
RUPN_PROXYS_DE_CONFIANCE = env_list("RUPN_PROXYS_DE_CONFIANCE", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "rupn.comptes.proconnect",
    "dsfr",
    "widget_tweaks",
    # Après dsfr : ses gabarits de widgets (cases, boutons radio, erreurs) remplacent ceux de Django.
    "django.forms",
    "import_export",
    "django_htmx",
    "csp",
    "rupn.territoires",
    "rupn.comptes",
    "missions",
    "lettres",
    "enquetes",
    "rupn.maturite",
    "rupn.pilotage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rupn.comptes.middleware.RoleActifMiddleware",
    "rupn.comptes.middleware.DoubleAuthentificationObligatoireMiddleware",
]

ROOT_URLCONF = "rupn.urls"
# Les formulaires se rendent avec les gabarits du projet (et ceux de django-dsfr, application installée).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "rupn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rupn.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Le compilateur JIT de PostgreSQL se déclenche sur les agrégats des tableaux de bord (coût estimé élevé) et
    # y passait plus de temps (0,5 s) que l'exécution elle-même : il ne sert qu'aux longues requêtes d'analyse.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache partagé entre processus (limites de débit d'allauth) : la base de données
# évite un service de plus ; `manage.py createcachetable` le crée.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "rupn_cache",
    }
}

AUTH_USER_MODEL = "comptes.Utilisateur"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "accueil"

# django-allauth : connexion par adresse électronique vérifiée.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("RUPN_REAUTHENTIFICATION_SECONDES", 300)
ACCOUNT_ADAPTER = "rupn.comptes.adapters.CompteAdapter"
# Les comptes sont créés par invitation (ou par ProConnect pour un agent déjà connu).
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[RUPN] "
SOCIALACCOUNT_ADAPTER = "rupn.comptes.adapters.CompteSocialAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = RUPN_NOM_SERVICE

# ProConnect : proposé quand l'identifiant client est configuré.
PROCONNECT_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", "")
PROCONNECT_SECRET = env_str("PROCONNECT_SECRET", "")
PROCONNECT_SERVER_URL = env_str("PROCONNECT_SERVER_URL", "https://auth.agentconnect.gouv.fr/api/v2")
# Domaines dont ProConnect peut rattacher l'adresse à un compte existant (motifs, « * » joker).
PROCONNECT_DOMAINES_DE_CONFIANCE = env_list(
    "PROCONNECT_DOMAINES_DE_CONFIANCE", "ac-*.fr,education.gouv.fr,*.education.gouv.fr"
)
SOCIALACCOUNT_PROVIDERS = {
    "proconnect": {
        "APPS": (
            [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": PROCONNECT_CLIENT_ID,
                    "secret": PROCONNECT_SECRET,
                    "settings": {"server_url": PROCONNECT_SERVER_URL},
                }
            ]
            if PROCONNECT_CLIENT_ID
            else []
        ),
        "SCOPE": ["openid", "email", "given_name", "usual_name", "uid"],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "rupn.storage.StockageStatiqueCompresse"},
}
# Au-delà de 5 Mo, un fichier déposé passe par un fichier temporaire plutôt que la mémoire.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Travaux longs (analyse et import de l'annuaire) exécutés aussitôt, dans la requête : pour les tests.
RUPN_TACHES_SYNCHRONES = False
RUPN_IMPORT_TAILLE_MAX = env_int("RUPN_IMPORT_TAILLE_MAX_MO", 60) * 1024 * 1024

# Courriel.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "RUPN <ne-pas-repondre@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sécurité (vérifiée par `manage.py check --deploy`).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDES", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "rupn.views.erreur_csrf"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        # Connexion et déconnexion ProConnect : un formulaire POST suivi d'une redirection vers le fournisseur.
        "form-action": [SELF, *([_origine(PROCONNECT_SERVER_URL)] if PROCONNECT_CLIENT_ID else [])],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Rendu et sceau des PDF : une dizaine de lignes d'étapes par document au niveau INFO, et une trace
    # complète pour un certificat étranger (déjà rapporté par lettres.sceau) : seulement les avertissements.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "pyhanko", "pyhanko_certvalidator")},
}

# django-dsfr : signaler les champs facultatifs plutôt que les obligatoires (recommandation DSFR).
DSFR_MARK_OPTIONAL_FIELDS = True
