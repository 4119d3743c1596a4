"""App configuration for the knowledge base."""

from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "fbrain.notes"
    label = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        from fbrain.notes import signals

        signals.connect()
