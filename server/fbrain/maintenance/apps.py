"""App configuration for scheduled maintenance."""

from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "fbrain.maintenance"
    label = "maintenance"
    verbose_name = "Maintenance"
