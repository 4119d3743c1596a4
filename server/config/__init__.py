"""Project wiring: settings, URLs, Celery app, WSGI and gunicorn configuration."""

import os
from pathlib import Path

# prometheus_client's multiprocess mode writes into this folder as soon as any metric is defined, in every
# process (web, worker, manage.py): create it before anything imports a metric. gunicorn empties it at start.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

from config.celery_app import app as celery_app

__all__ = ("celery_app",)
