"""App configuration for import/export jobs."""

from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "fbrain.transfer"
    label = "transfer"
    verbose_name = "Import and export"
