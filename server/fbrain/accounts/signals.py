"""Retire cached token lookups whenever a token or an account is saved or deleted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from fbrain.accounts.models import ApiToken
from fbrain.core import generations


def _auth_changed(sender: type, **_: Any) -> None:
    # `token_mark_used` writes with update() on purpose: using a token must not retire every cached lookup.
    generations.changed(generations.AUTH)


def connect() -> None:
    for model in (ApiToken, get_user_model()):
        post_save.connect(_auth_changed, sender=model, dispatch_uid=f"fbrain-auth-{model.__name__}-save")
        post_delete.connect(_auth_changed, sender=model, dispatch_uid=f"fbrain-auth-{model.__name__}-delete")
