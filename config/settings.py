"""Carenet settings: one file, driven by environment variables.

Every value comes from the environment (or a `.env` file beside manage.py), with defaults that
need nothing installed: SQLite in `var/`, tasks run in process, files in a local folder.
`.env.example` documents each variable. A bad value stops the process with a message that names
the variable; production (`CARENET_ENV=production`) refuses the development secrets and demo mode.
"""

import base64
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from environs import Env, EnvValidationError
from marshmallow.validate import OneOf, Range

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

# The development keys are public (they are in this file). Production refuses to start with them.
DEV_SECRET_KEY = "carenet-development-only-secret-key-do-not-use-in-production"  # noqa: S105
DEV_CITIZEN_ID_KEY = "ZGV2ZWxvcG1lbnQtb25seS1jaXRpemVuLWlkLWtleSE="  # 32 bytes, base64

try:
    CARENET_ENV = env.str(
        "CARENET_ENV", "development", validate=OneOf(["development", "production"])
    )
    DEBUG = env.bool("DJANGO_DEBUG", CARENET_ENV == "development")
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
    # None when unset, in the environment and in .env alike (read_env does not fill os.environ).
    GIVEN_HOSTS: list[str] | None = env.list("DJANGO_ALLOWED_HOSTS", None)
    ALLOWED_HOSTS = GIVEN_HOSTS or ["127.0.0.1", "localhost", "testserver"]
    CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
    DATABASES = {
        "default": env.dj_db_url(
            "DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'carenet.sqlite3'}", conn_max_age=0
        )
    }
    CITIZEN_ID_KEY = env.str("CARENET_CITIZEN_ID_KEY", DEV_CITIZEN_ID_KEY)
    DEMO_MODE = env.bool("CARENET_DEMO", False)
    SECURE = env.bool("CARENET_SECURE", CARENET_ENV == "production")
    STATIC_ROOT = env.path("CARENET_STATIC_ROOT", BASE_DIR / "staticfiles")
    MEDIA_ROOT = env.path("CARENET_MEDIA_ROOT", BASE_DIR / "var" / "media")
    CARENET_SITE_URL = env.str("CARENET_SITE_URL", "")
    LOG_LEVEL = env.str(
        "CARENET_LOG_LEVEL", "INFO", validate=OneOf(["DEBUG", "INFO", "WARNING", "ERROR"])
    )
    SQLITE_BUSY_TIMEOUT = env.int("CARENET_SQLITE_BUSY_TIMEOUT", 30)
    LOGIN_FAILURE_LIMIT = env.int("CARENET_LOGIN_FAILURE_LIMIT", 5)
    LOGIN_LOCKOUT_MINUTES = env.int("CARENET_LOGIN_LOCKOUT_MINUTES", 15)
    # Wrong passwords from one address, whatever the usernames, before it waits as long.
    LOGIN_ADDRESS_FAILURE_LIMIT = env.int("CARENET_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
    CARENET_IDLE_MINUTES = env.int("CARENET_IDLE_MINUTES", 60, validate=Range(min=1))
    REDIS_URL = env.str("CARENET_REDIS_URL", "")
    CACHE_DIR = env.path("CARENET_CACHE_DIR", BASE_DIR / "var" / "cache")
except EnvValidationError as error:
    raise ImproperlyConfigured(f"Carenet configuration error: {error}") from error


def _is_32_byte_base64(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except ValueError:
        return False


if CARENET_ENV == "production":
    problems = []
    if DEBUG:
        problems.append("DJANGO_DEBUG must be false")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("DJANGO_SECRET_KEY must be set to a new random value of 50+ characters")
    if CITIZEN_ID_KEY == DEV_CITIZEN_ID_KEY:
        problems.append(
            "CARENET_CITIZEN_ID_KEY is not set: give the key this database's citizen IDs were "
            "sealed with (kept apart from the backups, README 'Keys'); make a new one only "
            "for a new, empty database"
        )
    elif not _is_32_byte_base64(CITIZEN_ID_KEY):
        problems.append("CARENET_CITIZEN_ID_KEY must be base64 of 32 random bytes")
    if not GIVEN_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must name the site's host names")
    if DEMO_MODE:
        problems.append("CARENET_DEMO must be false")
    if problems:
        raise ImproperlyConfigured("Carenet refuses to start in production: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "carenet.core",
    "carenet.areas",
    "carenet.accounts",
    "carenet.volunteers",
    "carenet.households",
    "carenet.spreadsheets",
    "carenet.visits",
    "carenet.training",
    "carenet.cases",
    "carenet.privacy",
    "carenet.reports",
    "carenet.demo",
]

MIDDLEWARE = [
    "carenet.core.middleware.HeadWithoutBodyMiddleware",
    "carenet.core.middleware.TextGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "carenet.core.middleware.ThaiFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carenet.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "carenet.accounts.middleware.IdleSignOutMiddleware",
    "carenet.accounts.middleware.PasswordChosenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "carenet.core.middleware.DatabaseBusyMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the CSP middleware: the page it renders carries the response's nonce.
    "carenet.core.middleware.SendOnlyAddressMiddleware",
]

# Content-Security-Policy: scripts only from Carenet's own static files, and the few inline
# ones with the response's nonce (request.csp_nonce); no page uses inline event handlers. Styles
# may be inline (page-specific <style> blocks, and htmx's indicator style). Images may be
# data: or blob: URLs (signatures, photos shrunk on the phone, QR codes); the QR scanner runs
# a worker from Carenet's static files. Nothing may frame a page, and forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, "'unsafe-inline'"],
        "img-src": [CSP_SELF, "data:", "blob:"],
        "media-src": [CSP_SELF, "blob:"],
        "worker-src": [CSP_SELF, "blob:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

ROOT_URLCONF = "config.urls"
# A form sent after its page expired (or from another site) is answered in Thai, not with
# Django's page that asks for DEBUG.
CSRF_FAILURE_VIEW = "carenet.core.views.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carenet.accounts.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
            "builtins": ["carenet.core.templatetags.thai"],
        },
    }
]

# SQLite is the embedded default. WAL lets readers work beside a writer; IMMEDIATE takes the
# write lock when a transaction starts, so two read-then-write transactions queue on the busy
# timeout instead of one failing with "database is locked" when it tries to upgrade its lock.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-64000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env.str("CARENET_SQLITE_TEST_NAME", None)}
    if DATABASES["default"]["NAME"] == str(BASE_DIR / "var" / "carenet.sqlite3"):
        (BASE_DIR / "var").mkdir(exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: JIT and parallel workers cost more than they save here (bench/README.md).
    # Options given in DATABASE_URL (?options=...) come after these, so they win.
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    pg_options["options"] = " ".join(
        ["-c jit=off -c max_parallel_workers_per_gather=0", pg_options.get("options", "")]
    ).strip()

# Import and export progress, and the daily caps on what a search may reveal, live here: every
# process serving Carenet must see the same cache. Without Redis, the processes of one machine
# (gunicorn's workers) share files; several machines share Redis. Local memory would give each
# worker its own progress, and a running import would look lost to the others.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR),
        }
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {  # what the account forms and grant_access tell people
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "carenet.accounts.passwords.GuessablePasswordValidator"},
]

# Failed logins are recorded by django-axes; after LOGIN_FAILURE_LIMIT failures a username is
# locked for LOGIN_LOCKOUT_MINUTES from the address the attempts came from. Not the address
# alone: offices share one behind NAT, and one person's typos would lock out the whole office.
# Not the username alone: anyone could then keep a coordinator out by typing wrong passwords
# for their username every few minutes (during a disaster, say).
# One address trying a few passwords on every username is stopped apart, at a higher count
# (LOGIN_ADDRESS_FAILURE_LIMIT, accounts.services.address_refused): an office's typos do not
# reach it, a password sprayed over the users list does.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind a reverse proxy every request comes from the proxy: the address is the one it adds to
# X-Forwarded-For (CARENET_PROXY_COUNT proxies in front; 0: none, the address is the peer's).
# nginx appends the address it saw to whatever X-Forwarded-For the client sent, so with N
# proxies only the Nth entry from the right can be trusted. django-ipware (which axes uses)
# gives that entry with its proxy count set to N - 1, counted from the left, not strict
# (tests in accounts/tests/test_login.py hold it to that).
PROXY_COUNT = env.int("CARENET_PROXY_COUNT", 1 if SECURE else 0, validate=Range(min=0))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_PROXY_ORDER = "left-most"
IPWARE_STRICT = False
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "carenet_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Kept a year, so that closing the browser does not put an English reader back on Thai.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

STATIC_URL = "/static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/sarabun", BASE_DIR / "node_modules" / "@fontsource" / "sarabun"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/signature_pad", BASE_DIR / "node_modules" / "signature_pad" / "dist"),
    ("vendor/qr-scanner", BASE_DIR / "node_modules" / "qr-scanner"),
]
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Offices share PCs: a session ends when the browser closes, after CARENET_IDLE_MINUTES
# without a request (carenet.accounts.middleware.IdleSignOutMiddleware), and after 12 hours
# in any case.
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("CARENET_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("CARENET_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_citizen_ids": {"()": "carenet.core.citizen_id.RedactCitizenIDs"},
        "refusals_in_one_line": {"()": "carenet.core.logs.RefusalsWithoutTraceback"},
    },
    "formatters": {
        # One line a record, with its time, level and source, under systemd's journal too.
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals_in_one_line", "no_citizen_ids"],
        },
        # runserver's request lines (Django's own handler for them has no filter).
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["no_citizen_ids"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint and fontTools narrate every PDF at INFO.
    "loggers": {
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# Error pages and reports never show a citizen ID, even with DEBUG on.
DEFAULT_EXCEPTION_REPORTER_FILTER = "carenet.core.citizen_id.CitizenIDReporterFilter"
