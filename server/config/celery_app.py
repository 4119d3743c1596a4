"""The Celery application: configured from Django settings (`CELERY_*`), tasks discovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("fbrain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request-id propagation and task-aware logging are wired by signal handlers in fbrain.core.
import fbrain.core.celery_signals  # noqa: E402,F401
