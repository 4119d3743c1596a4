"""Logging pieces: a filter adding request/task ids to every record, and the JSON formatter."""

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from fbrain.core.context import request_id_var, task_id_var


class ContextFilter(logging.Filter):
    """Attach the current request id and task id (or '-') to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        if not getattr(record, "task_id", None):
            record.task_id = task_id_var.get() or "-"
        return True


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line with the fields log shippers index."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def logging_config(level: str, fmt: str) -> dict[str, Any]:
    """The LOGGING setting: one stdout handler, JSON or console lines, ids on every record."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "fbrain.core.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "fbrain.core.logging.JsonFormatter"},
            "console": {
                "format": "%(asctime)s %(levelname)-7s %(name)s [req=%(request_id)s task=%(task_id)s] %(message)s",
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": fmt,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            "django.db.backends": {"level": "WARNING"},
            "celery": {"level": level},
        },
    }
