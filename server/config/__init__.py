"""Project wiring: settings, URLs, Celery app, WSGI and gunicorn configuration."""

from config.celery_app import app as celery_app

__all__ = ("celery_app",)
