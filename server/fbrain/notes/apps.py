"""App configuration for the knowledge base."""

from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "fbrain.notes"
    label = "notes"
    verbose_name = "Notes"
