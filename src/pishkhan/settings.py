"""Settings for Pishkhan, read from the environment.

Defaults are production-safe: DEBUG is off, HTTPS protections are on and a SECRET_KEY is
required. `make demo` turns DEBUG on explicitly. Every variable is listed in README.md.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pishkhan.env import env_bool, env_int, env_int_list, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PISHKHAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
# HTTPS: the site is served over TLS (directly or behind a proxy). It switches on secure
# cookies, HSTS and the redirect to https. Off only for local demos and tests.
HTTPS = env_bool("HTTPS", default=not DEBUG)

_DEV_SECRET_KEY = "pishkhan-insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "pishkhan.core.apps.AxesConfig",  # django-axes, named in Persian
    "django_tasks",
    "django_tasks_db",
    # Pishkhan's apps in the order of their layers (docs/decisions/007-layers.md).
    "pishkhan.core",
    "pishkhan.outbox",
    "pishkhan.files",
    "pishkhan.fakebank",
    "pishkhan.audit",
    "pishkhan.geo",
    "pishkhan.offices",
    "pishkhan.accounts",
    "pishkhan.catalog",
    "pishkhan.cases",
    "pishkhan.permits",
    "pishkhan.excavation",
    "pishkhan.billing",
    "pishkhan.documents",
    "pishkhan.payments",
    "pishkhan.portal",
    "pishkhan.demo",  # last: the demo city uses every app, and no app uses it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pishkhan.audit.context.AuditActorMiddleware",  # who acts, for audit rows (lazy)
    "django.contrib.messages.middleware.MessageMiddleware",
    "pishkhan.core.middleware.MethodNotAllowedPageMiddleware",  # needs the user (menu)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pishkhan.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pishkhan.urls"
WSGI_APPLICATION = "pishkhan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "pishkhan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pishkhan.accounts.context_processors.roles",
            ],
            "builtins": ["pishkhan.core.templatetags.persian"],
        },
    }
]

# --- database -------------------------------------------------------------------------
# An unset or empty DATABASE_URL means the embedded SQLite database under VAR_DIR.
DATABASE_URL = env_str("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'pishkhan.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # One writer at a time without "database is locked": IMMEDIATE transactions + WAL.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
    "pishkhan.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Brute-force protection (django-axes; see accounts/lockout.py): failures per user name
# and client address together, and per client address alone (password spraying).
AXES_FAILURE_LIMIT = env_int("PISHKHAN_LOGIN_FAILURE_LIMIT", 5)
PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
if PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT must not be below PISHKHAN_LOGIN_FAILURE_LIMIT "
        f"({PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT} < {AXES_FAILURE_LIMIT})."
    )
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("PISHKHAN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "pishkhan.accounts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "pishkhan.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "pishkhan.accounts.lockout.locked_out"
AXES_HANDLER = "pishkhan.accounts.lockout.AddressLimitHandler"  # adds the per-address limit
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none).
PISHKHAN_TRUSTED_PROXIES = env_int("PISHKHAN_TRUSTED_PROXIES", 0)

# --- HTTPS and headers ----------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Persian, Jalali, Tehran ----------------------------------------------------------
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی")]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["pishkhan.formats"]
LOCALE_PATHS = [BASE_DIR / "src" / "pishkhan" / "locale"]

# --- static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- uploads: scans and photos (docs/files.md) ----------------------------------------
# Uploads are read only through their views (never served from a URL of their own):
# the local disk under PISHKHAN_MEDIA_ROOT by default, an S3-compatible object store
# with PISHKHAN_FILE_STORAGE=s3 (needs the "s3" extra: django-storages and boto3).
MEDIA_ROOT = Path(env_str("PISHKHAN_MEDIA_ROOT", str(VAR_DIR / "media")))
PISHKHAN_FILE_STORAGE = env_str("PISHKHAN_FILE_STORAGE", "local")
if PISHKHAN_FILE_STORAGE == "local":
    STORAGES["uploads"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(MEDIA_ROOT),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
elif PISHKHAN_FILE_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "PISHKHAN_FILE_STORAGE=s3 needs django-storages and boto3: pip install '.[s3]'."
        )
    STORAGES["uploads"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("PISHKHAN_S3_BUCKET"),
            "endpoint_url": env_str("PISHKHAN_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("PISHKHAN_S3_REGION", "") or None,
            "access_key": env_secret("PISHKHAN_S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("PISHKHAN_S3_SECRET_ACCESS_KEY"),
            "location": env_str("PISHKHAN_S3_PREFIX", ""),
            "addressing_style": env_str("PISHKHAN_S3_ADDRESSING_STYLE", "") or None,
            "default_acl": None,  # the bucket's own (private) policy; objects never public
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"PISHKHAN_FILE_STORAGE must be local or s3; got {PISHKHAN_FILE_STORAGE!r}."
    )
PISHKHAN_UPLOAD_MAX_BYTES = env_int("PISHKHAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
PISHKHAN_UPLOAD_MAX_PIXELS = env_int("PISHKHAN_UPLOAD_MAX_PIXELS", 40_000_000)
PISHKHAN_UPLOAD_MAX_IMAGE_SIDE = env_int("PISHKHAN_UPLOAD_MAX_IMAGE_SIDE", 10_000)
PISHKHAN_UPLOAD_MAX_PDF_PAGES = env_int("PISHKHAN_UPLOAD_MAX_PDF_PAGES", 100)
PISHKHAN_UPLOAD_MAX_FILES_PER_CASE = env_int("PISHKHAN_UPLOAD_MAX_FILES_PER_CASE", 200)
# Files in one request (a registration's scans, a visit's photos): Django refuses more.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("PISHKHAN_UPLOAD_MAX_FILES_PER_REQUEST", 30)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
if DEBUG:
    # The demo serves static files from the apps' folders (no collectstatic needed).
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- logging: personal data never reaches a log line ----------------------------------
# Every handler formats through MaskingFormatter, which masks the whole formatted record
# (message, exception text, stack). Django's own handlers are replaced: the dev server's
# plain stream (request lines with query strings) and mail to admins (tracebacks) would
# write unmasked text; their records go up to the root's masked console instead.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "pishkhan.core.logging.MaskPersonalData"}},
    "formatters": {
        "plain": {
            "()": "pishkhan.core.logging.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_personal_data"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "django.request": {"handlers": [], "propagate": True},
        # django-axes: lockouts are warnings; its per-attempt info lines are noise
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step and fontTools every font it opens at INFO
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Background work: django-tasks with its database backend (no broker). The worker is
# `manage.py run_worker`; it also sweeps the outbox (pishkhan.outbox) for retries.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How long the worker holds an outbox message it is delivering; after that a message a
# killed worker held is delivered again (receivers are idempotent by the message key).
PISHKHAN_OUTBOX_LEASE_SECONDS = env_int("PISHKHAN_OUTBOX_LEASE_SECONDS", 300)
# Finished background-task results are kept this many days (a periodic job prunes them).
PISHKHAN_TASK_RESULTS_KEEP_DAYS = env_int("PISHKHAN_TASK_RESULTS_KEEP_DAYS", 14)
# The parcel map: a tile server of the city's (an XYZ URL such as
# https://tiles.example.ir/{z}/{x}/{y}.png) and its attribution; without one the map
# draws the parcels on a plain background. Its centre when it opens (latitude,longitude).
PISHKHAN_MAP_TILE_URL = env_str("PISHKHAN_MAP_TILE_URL", "")
PISHKHAN_MAP_TILE_ATTRIBUTION = env_str("PISHKHAN_MAP_TILE_ATTRIBUTION", "")
PISHKHAN_MAP_CENTER = env_str("PISHKHAN_MAP_CENTER", "32.6546,51.6680")
# The city's area (south,west,north,east): a drawn excavation route must lie inside it.
PISHKHAN_MAP_BOUNDS = env_str("PISHKHAN_MAP_BOUNDS", "32.45,51.45,32.85,51.95")

# The audit chain (docs/audit.md): the key that signs its daily checkpoints (HMAC-SHA256).
# Unset, a key is derived from SECRET_KEY; set it (or PISHKHAN_AUDIT_KEY_FILE) to keep
# checkpoints verifiable across a SECRET_KEY rotation.
PISHKHAN_AUDIT_KEY = env_secret("PISHKHAN_AUDIT_KEY") or ""

# --- Pishkhan itself ------------------------------------------------------------------
# The online payment gateway adapter (pishkhan.payments.gateways): "fake" is the
# built-in fake bank, whose pages are mounted under /fake-bank/ only while it is chosen.
PISHKHAN_PAYMENT_GATEWAY = env_str("PISHKHAN_PAYMENT_GATEWAY", "fake")
PISHKHAN_CITY_NAME = env_str("PISHKHAN_CITY_NAME", "اصفهان")
# The working calendar SLA clocks run on: weekend days as Python weekday numbers
# (Monday 0 … Sunday 6; Friday is 4) and the office day in Tehran time. Official holidays
# are data (cases.Holiday), loaded by `load_workflows` and edited in the admin.
PISHKHAN_WEEKEND = env_int_list("PISHKHAN_WEEKEND", [4])
PISHKHAN_WORKDAY_START = env_str("PISHKHAN_WORKDAY_START", "07:30")
PISHKHAN_WORKDAY_END = env_str("PISHKHAN_WORKDAY_END", "14:30")
# An inquiry may be answered at once from a visit of the same parcel at most this old
# (a workflow definition may set its own "instant_response_max_visit_age_days").
# Billing (docs/billing.md): the city's three-digit company code in the national bill id
# (assigned with the bank network's registration) and the days a bill may be paid in.
PISHKHAN_BILL_COMPANY_CODE = env_int("PISHKHAN_BILL_COMPANY_CODE", 431)
if not 0 <= PISHKHAN_BILL_COMPANY_CODE <= 999:
    raise ImproperlyConfigured("PISHKHAN_BILL_COMPANY_CODE is a three-digit code (0-999).")
PISHKHAN_BILL_DUE_DAYS = env_int("PISHKHAN_BILL_DUE_DAYS", 30)
# Issued documents (docs/documents.md): the public address printed under each QR code,
# the city's signing key and certificate (PEM files; without them a self-signed demo
# certificate is made under PISHKHAN_SIGNING_DEMO_DIR and documents say so), and how
# many verification attempts one address may make in a window of that many seconds.
PISHKHAN_PUBLIC_URL = env_str("PISHKHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
PISHKHAN_SIGNING_KEY = env_str("PISHKHAN_SIGNING_KEY", "")
PISHKHAN_SIGNING_CERT = env_str("PISHKHAN_SIGNING_CERT", "")
PISHKHAN_SIGNING_CHAIN = env_list("PISHKHAN_SIGNING_CHAIN", [])
PISHKHAN_SIGNING_PASSPHRASE = env_secret("PISHKHAN_SIGNING_PASSPHRASE")
PISHKHAN_SIGNING_DEMO_DIR = Path(env_str("PISHKHAN_SIGNING_DEMO_DIR", str(VAR_DIR / "signing")))
PISHKHAN_VERIFY_ATTEMPTS = env_int("PISHKHAN_VERIFY_ATTEMPTS", 20)
PISHKHAN_VERIFY_WINDOW_SECONDS = env_int("PISHKHAN_VERIFY_WINDOW_SECONDS", 600)
PISHKHAN_INSTANT_RESPONSE_MAX_VISIT_AGE_DAYS = env_int(
    "PISHKHAN_INSTANT_RESPONSE_MAX_VISIT_AGE_DAYS", 180
)
