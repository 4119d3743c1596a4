"""App configuration for the shared core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fbrain.core"
    label = "core"
    verbose_name = "F_BRAIN core"

    def ready(self) -> None:
        from fbrain.core import sqlite  # noqa: F401 - connects the connection_created receiver
