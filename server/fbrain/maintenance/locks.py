"""A non-blocking, expiring lock so two beats or overlapping runs never run one periodic task twice at once."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from fbrain.core import business_metrics as bm
from fbrain.core.redis_keys import redis_key

logger = logging.getLogger(__name__)

LOCKED = "locked"
F = TypeVar("F", bound=Callable[..., Any])


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@contextmanager
def task_lock(name: str, *, ttl: float) -> Iterator[bool]:
    """Try to take lock `name` for at most `ttl` seconds; yields whether it was taken. Never waits.

    Redis `SET NX PX` with a random token (released only by its owner); without Redis (embedded mode),
    the Django cache's atomic `add`.
    """
    if not settings.REDIS_URL:
        # The cache adds CACHE_KEY_PREFIX itself.
        key = f"lock:{name}"
        taken = cache.add(key, uuid.uuid4().hex, timeout=int(ttl) or 1)
        try:
            yield taken
        finally:
            if taken:
                cache.delete(key)
        return
    lock = _client(settings.REDIS_URL).lock(redis_key("lock", name), timeout=ttl, blocking=False)
    taken = bool(lock.acquire(blocking=False))
    try:
        yield taken
    finally:
        if taken:
            try:
                lock.release()
            except redis.exceptions.LockError:
                logger.warning("periodic task outlived its lock", extra={"lock": name})


def record_success(name: str, result: Any, duration: float) -> None:
    from fbrain.maintenance.models import PeriodicRun

    PeriodicRun.objects.update_or_create(
        name=name,
        defaults={
            "last_success_at": timezone.now(),
            "last_result": result if isinstance(result, dict) else {"result": result},
            "last_duration_seconds": duration,
        },
    )
    bm.PERIODIC_TASK_LAST_SUCCESS.labels(task=name).set(time.time())


def periodic(name: str, *, ttl: float) -> Callable[[F], F]:
    """Run the wrapped function under `task_lock(name)`; record its success. Returns 'locked' if already running."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with task_lock(name, ttl=ttl) as taken:
                if not taken:
                    logger.info("periodic task already running elsewhere; skipped", extra={"periodic": name})
                    return LOCKED
                started = time.monotonic()
                result = function(*args, **kwargs)
                record_success(name, result, time.monotonic() - started)
                return result

        return wrapper  # type: ignore[return-value]

    return decorate
