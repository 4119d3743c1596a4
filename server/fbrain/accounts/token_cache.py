"""Per-process cache of token lookups, checked against the global auth generation in Redis on every request."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.db.models.base import ModelState

from fbrain.accounts import selectors, services
from fbrain.accounts.models import ApiToken
from fbrain.core import generations
from fbrain.core.response_cache import Prefetch

logger = logging.getLogger(__name__)

MAX_ENTRIES = 1000
# digest of the key -> (the token with its user, the auth generation read before the lookup, monotonic time)
_entries: dict[str, tuple[ApiToken, bytes, float]] = {}


def use_token(*, key: str, prefetch: Prefetch | None = None) -> ApiToken | None:
    """The active token of `key` with its user (None if there is none), marked as used.

    `selectors.token_for_key`, served from memory while no token or account has changed since.

    Any token or user write changes the auth generation (signals in fbrain.accounts.apps), so a revoked token
    fails on its next request. The generation is read before the database, so a revocation that commits
    during a lookup retires what that lookup saw. Without Redis every request asks the database.
    `prefetch` (a cached read's keys) rides along in the same Redis round trip when the user is known.
    """
    client = generations.cache_client()
    if client is None:
        return _used(selectors.token_for_key(key=key))
    digest = services.hash_token(key)
    entry = _entries.get(digest)
    extra = prefetch.keys(entry[0].user_id) if prefetch is not None and entry is not None else []
    try:
        generation, *values = client.mget(generations.key(generations.AUTH), *extra)
    except Exception:
        logger.warning("auth cache unavailable", exc_info=True)
        return _used(selectors.token_for_key(key=key))
    if prefetch is not None and extra:
        prefetch.fill(extra, values)
    now = time.monotonic()
    if entry is not None and entry[1] == generation and now - entry[2] <= settings.API_CACHE_SECONDS:
        # Marks the cached object: `last_used_at` is then written once a minute, not on every request.
        services.token_mark_used(token=entry[0])
        return _private_copy(entry[0])
    token = _used(selectors.token_for_key(key=key))
    if generation is None:
        _start_generation(client)
    elif token is not None:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[digest] = (token, generation, now)
        return _private_copy(token)
    return token


def _used(token: ApiToken | None) -> ApiToken | None:
    if token is not None:
        services.token_mark_used(token=token)
    return token


def _private_copy(token: ApiToken) -> ApiToken:
    # Each request gets its own objects: views may change request.user; threads must not share them.
    clone = _shallow(token)
    clone.user = _shallow(token.user)
    return clone


def _shallow(instance: Model) -> Any:
    """A copy of a model instance's field values with fresh state (copy.copy pickles its way: 4x slower)."""
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__dict__)
    clone._state = ModelState()
    clone._state.db, clone._state.adding = instance._state.db, False
    return clone


def _start_generation(client: Any) -> None:
    try:
        client.set(
            generations.key(generations.AUTH), generations.new_value(), nx=True, ex=generations.GENERATION_TTL_SECONDS
        )
    except Exception:
        logger.warning("could not start the auth generation", exc_info=True)


def clear() -> None:
    _entries.clear()
