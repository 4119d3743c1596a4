"""App configuration for feature flags."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_flags(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Sent once per app after migrate and flush; waffle's turn means its tables exist.
    if sender.label == "waffle":
        from fbrain.features.services import flag_defaults_ensure

        flag_defaults_ensure(using=using)


class FeaturesConfig(AppConfig):
    name = "fbrain.features"
    label = "features"
    verbose_name = "Feature flags"

    def ready(self) -> None:
        post_migrate.connect(_ensure_flags, dispatch_uid="fbrain.features.ensure_flags")
