"""Test settings: only faster, never different behaviour."""

import os

from config import env
from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBUG = False
# Tests share the Redis server with other users of the machine; keep their keys apart.
CACHE_KEY_PREFIX = env.string("CACHE_KEY_PREFIX", "fbrain-test")
CACHES["default"]["KEY_PREFIX"] = CACHE_KEY_PREFIX
# Unit tests run tasks inline; tests whose behaviour depends on the broker use the `celery_worker` fixture,
# which switches to the real Redis broker and a real worker.
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", True)
# Every broker key of the tests (queues, unacked, bindings) starts with this, so the real-worker tests' purge
# empties the tests' own queues only, never those of an F_BRAIN that shares the Redis database.
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": "fbrain-test:"}
# Tests share one client address; throttle tests set their own low rates.
FBRAIN_THROTTLE_RATES = dict.fromkeys(("login_ip", "login_account", "signup", "token_create"), "10000/min")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, as in the embedded mode: concurrent tests then queue for SQLite's write lock as the product does
    # (an in-memory database shared between threads refuses them with "table is locked" instead).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
