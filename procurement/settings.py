"""Settings of the IMIO central purchasing platform.

Everything that differs between a laptop and production comes from the environment:

- ``DEBUG`` (default off). ``make run`` turns it on.
- ``SECRET_KEY``: required when ``DEBUG`` is off.
- ``DATABASE_URL``: default SQLite in the project folder; PostgreSQL in production
  (``postgres://user@host:5432/name``). ``CONN_MAX_AGE`` (600 s), and on PostgreSQL
  ``DATABASE_SERVER_SIDE_BINDING`` (off; on: statements prepared per connection).
- ``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS``: comma-separated.
- ``REDIS_URL``: Celery broker and cache. Unset, background tasks run eagerly in-process.
- ``EMAIL_URL``-style settings: ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
  ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``DEFAULT_FROM_EMAIL``.
- ``MEDIA_ROOT``: where uploaded documents go (signed membership agreements…).
- ``SEALING_KEYS``: the key ring that seals bids (``id:base64key,…``, first one seals), or
  ``SEALING_KEYS_FILE`` (default ``var/sealing.keys``, which ``make run`` creates on a
  laptop). Not derived from ``SECRET_KEY``; back it up (docs/OPERATIONS.md).
"""

import os
from pathlib import Path

import dj_database_url

from procurement.core.sealing import parse_key_ring, read_key_ring_file

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG")

# Required when DEBUG is off: the WSGI/ASGI entry points refuse to start without it, and
# anything that signs (sessions, tokens, links) refuses to work. Management commands that
# need no signing (migrate, makemigrations, check) still run, so operators can prepare a
# database before the secret is in place.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procurement.core",
    "procurement.members",
    "tenders",
    "catalog",
    "procurement.orders",
    "reports",
]

MIDDLEWARE = [
    "procurement.core.health.HealthCheckMiddleware",  # probes first: any Host, no redirect, no log
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "procurement.core.request_log.RequestLogMiddleware",  # requests, not static files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "procurement.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "procurement.urls"

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
                "procurement.members.context_processors.acting",
            ],
        },
    },
]

WSGI_APPLICATION = "procurement.wsgi.application"

# --- Database -------------------------------------------------------------------------
# Persistent connections: reconnecting on every request quarters PostgreSQL throughput.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so concurrent requests wait instead of failing.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Short queries only: compiling a plan to machine code (JIT) costs more than it saves
    # here — 50 to 100 ms on a search whose estimated cost crosses the JIT threshold.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    # Opt-in: parameters bound by the server and a statement prepared once run 5 times on a
    # connection. The lists' queries are then planned once per connection (+15 % requests/s on
    # the order list), but PostgreSQL's generic plans made the consumption report twice as
    # slow at ten years of data (docs/PERFORMANCE.md). Not behind PgBouncer in transaction mode
    # before 1.21 (max_prepared_statements).
    if env_bool("DATABASE_SERVER_SIDE_BINDING"):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "procurement.members.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # invitations and reset links: three days

# --- Languages and time ----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("de", "Deutsch"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "language"

# --- Static and uploaded files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded documents are never served from a public URL: views check who may read them.
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (tender documents, bids, purchase orders, imports, exports) go to MEDIA_ROOT,
# or, with S3_BUCKET set, to an S3-compatible bucket (several application servers share it).
# Private either way: the views check who may read a file and stream it.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Cache, background tasks -----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING, as JSON lines in production

# --- E-mail -----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Centrale d'achat IMIO <centrale@imio.invalid>")

# --- Security (production) ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the browser must read it for form posts; the session cookie is HttpOnly
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an anonymous request answers 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["procurement.core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "procurement.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "procurement.core.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "procurement.core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("AUTH_THROTTLE_RATE", "20/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IMIO — centrale d'achat",
    "DESCRIPTION": (
        "REST API of the IMIO central purchasing platform. Amounts are decimal strings in euros; "
        "state changes are actions (POST /<resource>/<id>/<action>/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "MembershipStatusEnum": "procurement.members.models.MembershipStatus.choices",
        "RoleEnum": "procurement.core.permissions.Role.choices",
        "OrganizationKindEnum": "procurement.members.models.OrganizationKind.choices",
        "SurveyStatusEnum": "tenders.models.SurveyStatus.choices",
        "TenderStatusEnum": "tenders.models.TenderStatus.choices",
        "LotStatusEnum": "tenders.models.LotStatus.choices",
        "BidStatusEnum": "tenders.models.BidStatus.choices",
        "AgreementStatusEnum": "tenders.models.AgreementStatus.choices",
        "LegalGroundEnum": "tenders.models.LegalGround.choices",
        "ModificationGroundEnum": "tenders.models.ModificationGround.choices",
        "OrderStatusEnum": "procurement.orders.models.OrderStatus.choices",
        "SubscriptionStatusEnum": "procurement.orders.models.SubscriptionStatus.choices",
    },
}

# --- Logging: never passwords, tokens or keys --------------------------------------------
# Logs go to standard output: JSON lines in production (``LOG_FORMAT=json``, the default when
# DEBUG is off: one object per line with time, level, logger, message and the request's
# fields), plain text while developing.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The request middleware logs every request once; Django's own would say the errors twice.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING" if not DEBUG else "INFO"},
        # A task's success line carries its arguments (e-mail recipients and bodies): failures only.
        "celery.app.trace": {"level": "WARNING"},
        # WeasyPrint and its font tools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Sealed bids --------------------------------------------------------------------------
# A dedicated key ring, never SECRET_KEY: {key id: 32-byte key}, the first one seals.
SEALING_KEYS_FILE = Path(os.environ.get("SEALING_KEYS_FILE", BASE_DIR / "var" / "sealing.keys"))
if os.environ.get("SEALING_KEYS"):
    SEALING_KEYS = parse_key_ring(os.environ["SEALING_KEYS"])
else:
    SEALING_KEYS = read_key_ring_file(SEALING_KEYS_FILE)

# Periodic work (Celery beat). Time-driven transitions are also applied whenever the objects
# are read or acted on; the schedule only makes sure they happen when nobody looks.
CELERY_BEAT_SCHEDULE = {
    "tenders-due-transitions": {"task": "tenders.tasks.apply_due_transitions", "schedule": 300.0},
    "tenders-expiry-alerts": {"task": "tenders.tasks.send_expiry_alerts", "schedule": 3600.0 * 6},
    "catalog-due-prices": {"task": "catalog.tasks.apply_due_prices", "schedule": 3600.0},
    "core-purge-idempotency-records": {"task": "procurement.core.tasks.purge_idempotency_records", "schedule": 3600.0},
    "reports-purge-expired-exports": {"task": "reports.tasks.purge_expired_exports", "schedule": 3600.0},
}

# --- Catalogue imports ------------------------------------------------------------------------
CATALOG_IMPORT_MAX_BYTES = int(os.environ.get("CATALOG_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# Files above this size are read, and lists above this many rows applied, by a Celery worker.
CATALOG_BACKGROUND_BYTES = int(os.environ.get("CATALOG_BACKGROUND_BYTES", 1024 * 1024))
CATALOG_BACKGROUND_ROWS = int(os.environ.get("CATALOG_BACKGROUND_ROWS", 10_000))

# Demonstration data of the apps above members, loaded by ``manage.py seed_demo`` in this order.
DEMO_LOADERS = [
    "tenders.demo.load_demo_tenders",
    "catalog.demo.load_demo_catalogues",
    "procurement.orders.demo.load_demo_orders",
    "procurement.orders.demo_history.load_demo_history",
]

# Absolute address of the site, for links in e-mails (invitations, password resets).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Reports ----------------------------------------------------------------------------------
# Exports above these sizes are built by a Celery worker, with progress shown; their files are
# kept for download this many hours. A PDF longer than REPORT_PDF_MAX_PAGES is refused (CSV/XLSX).
REPORT_INLINE_ROWS = int(os.environ.get("REPORT_INLINE_ROWS", 50_000))
REPORT_INLINE_PDF_PAGES = int(os.environ.get("REPORT_INLINE_PDF_PAGES", 20))
REPORT_PDF_MAX_PAGES = int(os.environ.get("REPORT_PDF_MAX_PAGES", 1_000))
REPORT_EXPORT_KEPT_HOURS = int(os.environ.get("REPORT_EXPORT_KEPT_HOURS", 72))

# --- Open contracting (OCDS) ------------------------------------------------------------------
# Every contracting process's ocid starts with this prefix (register one with the Open
# Contracting Partnership before publishing for real); the package says under which licence.
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-imiobe")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "IMIO")
OCDS_LICENSE = os.environ.get("OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/")
OCDS_PUBLICATION_POLICY = os.environ.get("OCDS_PUBLICATION_POLICY", f"{SITE_URL}/public/open-data/")
