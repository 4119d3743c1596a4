"""App configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fbrain.accounts"
    label = "accounts"
    verbose_name = "Accounts and API tokens"
