"""Names of the Redis keys the app writes itself: each starts with CACHE_KEY_PREFIX, as the cache's keys do."""

from __future__ import annotations

from django.conf import settings


def redis_key(*parts: str) -> str:
    """`<CACHE_KEY_PREFIX>:<part>:<part>...`: instances sharing one Redis keep apart by their prefix."""
    return ":".join((settings.CACHE_KEY_PREFIX, *parts))
