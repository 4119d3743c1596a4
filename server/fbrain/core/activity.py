"""Daily active users, counted cheaply in a Redis HyperLogLog per UTC day (about 12 KB per day, O(1) reads)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse

from fbrain.core.redis_keys import redis_key

logger = logging.getLogger(__name__)

KEY_TTL_SECONDS = 8 * 24 * 3600
# Users already counted today by this process: saves a Redis round trip on most requests.
_SEEN_LIMIT = 50_000
_seen: set[tuple[str, int | str]] = set()
_seen_day = ""
_lock = threading.Lock()


@lru_cache(maxsize=4)
def redis_for(url: str) -> Any:
    """A Redis client with short timeouts: metrics must degrade, never hang requests or scrapes."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def redis_client() -> Any | None:
    """The Redis that keeps cross-process metric state (settings.REDIS_URL), or None without one."""
    from django.conf import settings

    url = getattr(settings, "REDIS_URL", None)
    return redis_for(url) if url else None


def day_key(day: dt.date | None = None) -> str:
    day = day or dt.datetime.now(dt.UTC).date()
    return redis_key("active_users", day.isoformat())


def record_active_user(user_id: int | str, *, client: Any | None = None) -> None:
    """Add a user to today's set; never raises (metrics must not break requests)."""
    global _seen_day
    key = day_key()
    with _lock:
        if _seen_day != key or len(_seen) >= _SEEN_LIMIT:
            _seen.clear()
            _seen_day = key
        if (key, user_id) in _seen:
            return
        _seen.add((key, user_id))
    client = client if client is not None else redis_client()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.pfadd(key, str(user_id))
        pipe.expire(key, KEY_TTL_SECONDS)
        pipe.execute()
    except Exception:  # Redis down must not fail the request
        logger.warning("could not record active user", exc_info=True)


def active_users(day: dt.date | None = None, *, client: Any | None = None) -> int:
    """Approximate number of distinct users active on the day (today by default)."""
    client = client if client is not None else redis_client()
    if client is None:
        return 0
    return int(client.pfcount(day_key(day)))


class ActiveUserMiddleware:
    """Count the authenticated user of each request (session or API token) as active today."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF authenticates API tokens inside the view and sets request.user then; read it afterwards.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            record_active_user(user.pk)
        return response
