"""Production settings: tightened defaults; refuses to start without its secrets."""

from config import env
from config.settings.base import *  # noqa: F403
from config.settings.base import LOG_LEVEL
from fbrain.core.logging import logging_config

# Required in production: a clear one-line error names what is missing.
SECRET_KEY = env.required("SECRET_KEY")
env.required("DATABASE_URL")
env.required("REDIS_URL")
ALLOWED_HOSTS = env.str_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise env.ConfigError("ALLOWED_HOSTS", "is required (comma-separated host names)")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-insecure"):
    raise env.ConfigError("SECRET_KEY", "must be a random string of at least 50 characters")

DEBUG = env.boolean("DEBUG", False)
if DEBUG:
    raise env.ConfigError("DEBUG", "must be false in production")

LOG_FORMAT = env.choice("LOG_FORMAT", "json", {"json", "console"})
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)

# HTTPS: the edge proxy terminates TLS and says so with X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
# Probes and scrapes come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.boolean("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env.boolean("CSRF_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
