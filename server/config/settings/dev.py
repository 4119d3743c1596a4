"""Development settings: debug on, readable logs, permissive hosts on the local machine."""

from config import env
from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR

DEBUG = env.boolean("DEBUG", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_DIR.mkdir(parents=True, exist_ok=True)
