"""`manage.py landing_hint --url URL`: what `make run` prints before serving (the mode, and how to get in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from fbrain.accounts.selectors import setup_needed


def landing_hint(url: str) -> list[str]:
    """The lines to print: where it serves, in which mode, and the next step (setup or sign-in)."""
    if connection.vendor == "sqlite":
        mode = f"embedded mode: SQLite in {connection.settings_dict['NAME']}"
    else:
        mode = f"{connection.vendor} database {connection.settings_dict['NAME']}"
    mode += ", tasks run inline" if settings.CELERY_TASK_ALWAYS_EAGER else ", tasks go to the Celery broker"
    if setup_needed():
        step = f"No account yet: open {url} and create the first (administrator) account there."
    else:
        step = f"Sign in at {url} (more accounts: {url}{settings.ADMIN_URL} or `make superuser`)."
    return [f"F_BRAIN is starting on {url} ({mode}).", step]


class Command(BaseCommand):
    help = "Print where the development server is starting and how to get in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        for line in landing_hint(options["url"]):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
