"""Dependency checks for readiness and status: database, cache, broker, migrations — each bounded."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from fbrain.core.celery_metrics import queue_keys


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    duration_ms: float

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, "duration_ms": round(self.duration_ms, 1)}


def _timed(name: str, check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a probe reports every failure instead of raising it
        lines = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
        ok = False
    return CheckResult(name, ok, detail, (time.perf_counter() - started) * 1000)


@lru_cache(maxsize=4)
def redis_client(url: str) -> redis.Redis:
    """One pooled client per URL, with the probe timeout on connect and on reads."""
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def _database() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop the broken connection so the next request reconnects instead of reusing it.
        connection.close()
        raise
    return connection.vendor


def _ping_redis(url: str) -> str:
    try:
        redis_client(url).ping()
    except redis.RedisError as exc:
        raise ConnectionError(f"redis unreachable ({exc})") from exc
    return "redis"


def _cache() -> str:
    if settings.REDIS_URL:
        return _ping_redis(settings.REDIS_URL)
    cache.set("fbrain:readyz", "1", 5)
    if cache.get("fbrain:readyz") != "1":
        raise RuntimeError("local cache did not keep a value")
    return "locmem"


def _broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return "eager (no broker configured)"
    return _ping_redis(url)


_migrations_applied = False


def _migrations() -> str:
    # Once this code's migrations are all applied they stay applied: skip the costly check afterwards.
    global _migrations_applied
    if _migrations_applied:
        return "all applied"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
        raise RuntimeError(f"{len(plan)} unapplied: {names}")
    _migrations_applied = True
    return "all applied"


def readiness_checks() -> list[CheckResult]:
    """Run every check; the migrations check is skipped when the database is down."""
    results = [_timed("database", _database), _timed("cache", _cache), _timed("broker", _broker)]
    if results[0].ok:
        results.append(_timed("migrations", _migrations))
    else:
        results.append(CheckResult("migrations", False, "skipped: database unavailable", 0.0))
    return results


def _queue_length(client: redis.Redis, queue: str) -> int:
    keys = queue_keys(queue, settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.llen(key)
        return int(sum(pipe.execute()))


def queue_lengths() -> dict[str, int | None]:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return dict.fromkeys(settings.FBRAIN_QUEUES, 0)
    client = redis_client(url)
    lengths: dict[str, int | None] = {}
    for queue in settings.FBRAIN_QUEUES:
        try:
            lengths[queue] = _queue_length(client, queue)
        except redis.RedisError:
            lengths[queue] = None
    return lengths


def worker_ping(timeout: float = 1.0) -> dict[str, object]:
    """Ask every Celery worker for a pong; bounded by `timeout` seconds."""
    from config.celery_app import app

    if app.conf.task_always_eager:
        return {"mode": "eager", "workers": []}
    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:  # broker down: report, do not fail the status page
        return {"mode": "broker", "workers": [], "error": f"{type(exc).__name__}: {exc}"}
    workers = sorted(name for reply in replies for name in reply)
    return {"mode": "broker", "workers": workers}
