"""Settings shared by every environment; every value comes from the environment."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from config import env
from fbrain.bookmarks.addresses import parse_allow_entry
from fbrain.core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env.string("DATA_DIR", str(BASE_DIR / "data")))

SECRET_KEY = env.string("SECRET_KEY", "dev-insecure-secret-key-change-me")
DEBUG = env.boolean("DEBUG", False)
ALLOWED_HOSTS = env.str_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.str_list("CSRF_TRUSTED_ORIGINS", [])
APP_VERSION = env.string("APP_VERSION", "0.1.0-dev")
GIT_REVISION = env.string("GIT_REVISION", "unknown")
ADMIN_URL = env.string("ADMIN_URL", "admin/").strip("/") + "/"
SIGNUP_ENABLED = env.boolean("SIGNUP_ENABLED", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "waffle",
    "fbrain.core",
    "fbrain.accounts",
    "fbrain.notes",
    "fbrain.bookmarks",
    "fbrain.transfer",
    "fbrain.maintenance",
    "fbrain.features",
    "fbrain.web",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "fbrain.core.request_id.RequestIdMiddleware",
    "fbrain.core.db_errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fbrain.core.security.SecurityHeadersMiddleware",
    "fbrain.core.body_limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fbrain.core.activity.ActiveUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fbrain.web.middleware.ContentSecurityPolicyMiddleware",
    "fbrain.web.middleware.HtmxLoginRedirectMiddleware",
    "fbrain.web.middleware.DomainErrorPageMiddleware",
    "waffle.middleware.WaffleMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "fbrain.core.context_processors.app_info",
            ],
        },
    },
]

# Database: Postgres from DATABASE_URL, or SQLite in DATA_DIR for the embedded mode.
DATABASES = {"default": env.database("DATABASE_URL", DATA_DIR / "fbrain.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache and Celery broker. Without it, a local-memory cache and eager tasks.
REDIS_URL = env.redis_url("REDIS_URL")
CELERY_BROKER_URL = env.redis_url("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_RESULT_BACKEND = env.redis_url("CELERY_RESULT_BACKEND", REDIS_URL) or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True

# Short socket timeouts: a dead Redis must degrade requests, never hang them.
REDIS_TIMEOUT_SECONDS = 1.0
# Every key the app puts in Redis starts with this (cache entries and fbrain.core.redis_keys.redis_key alike),
# so several instances can share one Redis server.
CACHE_KEY_PREFIX = env.string("CACHE_KEY_PREFIX", "fbrain")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                # Cache outages must not turn into 500s; the readiness probe reports them.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache",
            "LOCATION": "fbrain",
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Celery: JSON only, at-least-once delivery, bounded tasks.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connections around every task unless this is set (then around
# every N-th): fbrain.core.celery_signals recycles them by CONN_MAX_AGE and health check instead.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = env.integer("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_DEFAULT_QUEUE = "celery"
FBRAIN_QUEUES = ["celery", "capture", "transfer", "maintenance"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    # Must exceed the longest task so a slow task is not redelivered while it runs.
    "visibility_timeout": 2 * 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

# Bookmark capture (docs/async.md). CAPTURE_ENABLED=false: saved bookmarks are never fetched (fuzzing, offline).
CAPTURE_ENABLED = env.boolean("CAPTURE_ENABLED", True)
# Hosts, addresses or CIDRs the fetcher may reach despite the SSRF policy (tests only), each on every port or, as
# `entry:port` (`[IPv6]:port`), on that port only. A malformed entry stops start-up.
CAPTURE_ALLOW_HOSTS = env.parsed_list("CAPTURE_ALLOW_HOSTS", [], parse_allow_entry)
CAPTURE_TIMEOUT_SECONDS = float(env.integer("CAPTURE_TIMEOUT_SECONDS", 20, minimum=1))
CAPTURE_RETRY_BASE_SECONDS = float(env.integer("CAPTURE_RETRY_BASE_SECONDS", 10, minimum=0))
CAPTURE_RETRY_MAX_SECONDS = 300.0
CAPTURE_RECHECK_DAYS = env.integer("CAPTURE_RECHECK_DAYS", 30, minimum=1)

# Import/export jobs (docs/async.md).
IMPORT_MAX_UPLOAD_BYTES = env.integer("IMPORT_MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024
IMPORT_MAX_UNCOMPRESSED_BYTES = env.integer("IMPORT_MAX_UNCOMPRESSED_MB", 1024, minimum=1) * 1024 * 1024
IMPORT_MAX_ENTRIES = env.integer("IMPORT_MAX_ENTRIES", 50_000, minimum=1)
JOB_FILE_TTL_HOURS = env.integer("JOB_FILE_TTL_HOURS", 24, minimum=1)
# A running job without a progress heartbeat for this long lost its worker and is re-queued.
JOB_STALL_SECONDS = env.integer("JOB_STALL_SECONDS", 300, minimum=1)
JOB_MAX_ATTEMPTS = 3

# Scheduled maintenance: each task takes a Redis lock and records its last success.
TRASH_RETENTION_DAYS = env.integer("TRASH_RETENTION_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE.update(
    {
        "purge-trash": {"task": "fbrain.maintenance.tasks.purge_trash", "schedule": 6 * 3600.0},
        "recheck-bookmarks": {"task": "fbrain.maintenance.tasks.recheck_bookmarks", "schedule": 24 * 3600.0},
        "expire-job-files": {"task": "fbrain.maintenance.tasks.expire_job_files", "schedule": 3600.0},
        "recover-stalled-jobs": {"task": "fbrain.maintenance.tasks.recover_stalled_jobs", "schedule": 300.0},
    }
)

# Feature flags (django-waffle; fbrain/features): rows in the admin, created by migrations, never on first use.
# A flag missing from the database is off; the percentage-rollout cookie is as secure as the session cookie.
WAFFLE_CREATE_MISSING_FLAGS = False
WAFFLE_FLAG_DEFAULT = False
WAFFLE_SECURE = env.boolean("SESSION_COOKIE_SECURE", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Scripts read the CSRF token from the page (<meta name="csrf-token">, htmx included), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.string("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fbrain.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "fbrain.core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fbrain.core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Proxies in front of the app that append to X-Forwarded-For: the per-address limits key on the address
    # the last of them saw. 0 (no proxy) keys on the connection's address, so a client cannot pick its own.
    "NUM_PROXIES": env.integer("NUM_PROXIES", 0, minimum=0),
}

# Request body limits (docs/security.md): an API request body is at most API_BODY_MAX_BYTES, except where the view
# names another setting (note bodies: DATA_UPLOAD_MAX_MEMORY_SIZE) or checks its own (import: IMPORT_MAX_UPLOAD_MB).
# Any other body (pages, forms) is at most DATA_UPLOAD_MAX_MEMORY_SIZE, which fits a note body of 1 MiB of UTF-8
# however it is escaped (JSON \uXXXX: up to 6 bytes per byte; forms: 3). Beyond either: 413 `too_large`.
API_BODY_MAX_BYTES = 64 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# Rate limits (DRF throttles on the cache). Rates: "<n>/<second|minute|hour|day>".
FBRAIN_THROTTLE_RATES = {
    "login_ip": env.string("THROTTLE_LOGIN_IP", "20/min"),
    "login_account": env.string("THROTTLE_LOGIN_ACCOUNT", "10/min"),
    "signup": env.string("THROTTLE_SIGNUP", "10/hour"),
    "token_create": env.string("THROTTLE_TOKEN_CREATE", "30/hour"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "F_BRAIN API",
    "DESCRIPTION": "Notes, bookmarks, links, tags and search of a self-hosted second brain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies say `additionalProperties: false`: the server refuses unknown fields (fbrain.core.validation).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fbrain.core.schema.strict_request_bodies",
    ],
    # The schema and Swagger UI are for signed-in users (session or token), like the API they describe.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the pinned drf-spectacular-sidecar package, served as our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# `status` and `kind` name several choice sets in the API: give each its own schema component.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "BookmarkStatusEnum": "fbrain.bookmarks.models.Bookmark.Status",
    "JobStatusEnum": "fbrain.transfer.models.Job.Status",
    "JobKindEnum": "fbrain.transfer.models.Job.Kind",
    "NoteKindEnum": "fbrain.notes.models.Note.Kind",
}

# /metrics answers only these networks (Prometheus scrapes from inside; the edge proxy blocks it too).
METRICS_ALLOWED_CIDRS = [
    ipaddress.ip_network(cidr)
    for cidr in env.str_list(
        "METRICS_ALLOWED_CIDRS",
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
    )
]
PROMETHEUS_EXPORT_MIGRATIONS = False

# Readiness and status probes: every dependency check is bounded by this.
HEALTH_CHECK_TIMEOUT_SECONDS = 2.0

LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", {"debug", "info", "warning", "error", "critical"}).upper()
LOG_FORMAT = env.choice("LOG_FORMAT", "console", {"json", "console"})
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)

# `manage.py test` runs the same pytest suite as `make test`.
TEST_RUNNER = "fbrain.core.testing.runner.PytestRunner"
