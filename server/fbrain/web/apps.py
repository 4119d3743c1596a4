"""App configuration for the browser pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fbrain.web"
    label = "web"
    verbose_name = "F_BRAIN web pages"
