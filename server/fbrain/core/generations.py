"""Generations in Redis: every change stores a new random value, so older cached answers stop matching."""

from __future__ import annotations

import logging
import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from fbrain.core.activity import redis_client

logger = logging.getLogger(__name__)

# What the API shows of a user's notes and tags (keyed per user).
CONTENT = "content"
# Tokens and accounts (one global key: they change rarely, and a token lookup does not know its user yet).
AUTH = "auth"
GENERATION_TTL_SECONDS = 7 * 24 * 3600


def cache_client() -> Any | None:
    """The Redis of the API caches, or None when caching is off (API_CACHE_SECONDS=0 or no Redis)."""
    return redis_client() if settings.API_CACHE_SECONDS > 0 else None


def key(kind: str, user_id: int | None = None) -> str:
    suffix = "" if user_id is None else f":{user_id}"
    return f"{settings.API_CACHE_PREFIX}:gen:{kind}{suffix}"


def new_value() -> str:
    return secrets.token_hex(8)


def changed(kind: str, user_id: int | None = None) -> None:
    """Invalidate now and once more when the transaction commits.

    A reader between the two may cache what it read before the commit; the second change retires that too.
    """
    bump(kind, user_id)
    transaction.on_commit(partial(bump, kind, user_id))


def bump(kind: str, user_id: int | None = None) -> None:
    client = cache_client()
    if client is None:
        return
    try:
        client.set(key(kind, user_id), new_value(), ex=GENERATION_TTL_SECONDS)
    except Exception:  # Redis down: entries then expire after API_CACHE_SECONDS at the latest
        logger.warning("could not invalidate the %s cache", kind, exc_info=True)
