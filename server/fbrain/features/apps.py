"""App configuration for feature flags."""

from django.apps import AppConfig


class FeaturesConfig(AppConfig):
    name = "fbrain.features"
    label = "features"
    verbose_name = "Feature flags"
