"""The Celery application: configured from Django settings (`CELERY_*`), tasks discovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("fbrain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Signal handlers in fbrain.core: task, queue and periodic-task metrics served by the worker on
# CELERY_METRICS_PORT (docs/observability.md); request-id propagation and task-aware logging.
import fbrain.core.celery_metrics  # noqa: E402
import fbrain.core.celery_signals  # noqa: E402,F401
from fbrain.core.tracing import configure_tracing  # noqa: E402

# OpenTelemetry for this process (web, worker, beat), only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
configure_tracing()
