"""Celery metrics exporter living in the worker: signal-fed task metrics plus a scrape-time collector.

Why in-process and how it stays correct with prefork children: see docs/observability.md.
In short: task signals run in the pool's child processes and write prometheus_client
multiprocess files into the worker's PROMETHEUS_MULTIPROC_DIR; the worker's main process serves
them summed (MultiProcessCollector) on CELERY_METRICS_PORT (9808), together with values read at
scrape time from Redis (queue lengths, periodic-task freshness, backup time, active users) and
the count of unapplied migrations. Redis keeps the last-success times, so they survive restarts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

DEFAULT_PORT = 9808


def _worker_multiproc_subdir(argv: list[str]) -> None:
    """Give a `celery worker` its own multiprocess folder inside PROMETHEUS_MULTIPROC_DIR.

    The worker empties its folder at start and serves every file in it; a folder shared with
    gunicorn would lose the web's files or mix them into the worker's metrics. Runs at import,
    before any metric value file is opened (prometheus_client reads the variable when it opens one).
    """
    base = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not base or "worker" not in argv[1:] or Path(base).name.startswith("celery-worker-"):
        return
    path = Path(base) / f"celery-worker-{os.environ.get('CELERY_METRICS_PORT', DEFAULT_PORT)}"
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


_worker_multiproc_subdir(sys.argv)

from celery import signals  # noqa: E402
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server  # noqa: E402
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402

from fbrain.core import activity, business_metrics  # noqa: E402
from fbrain.core.activity import redis_client, redis_for  # noqa: E402
from fbrain.core.redis_keys import redis_key  # noqa: E402

logger = logging.getLogger(__name__)

PUBLISHED_AT_HEADER = "fbrain_published_at"
# Redis hashes (under CACHE_KEY_PREFIX): periodic task name -> last success; "backup" -> last backup.
PERIODIC_LAST_SUCCESS = ("metrics", "periodic_last_success")
LAST_SUCCESS = ("metrics", "last_success")
DEFAULT_QUEUES = ("celery", "capture", "transfer", "maintenance")
MIGRATIONS_REFRESH_SECONDS = 300.0

TASKS = Counter("fbrain_celery_tasks", "Celery task state transitions.", ["task", "queue", "state"])
RUNTIME = Histogram(
    "fbrain_celery_task_runtime_seconds",
    "Time a task ran in the worker.",
    ["task", "queue"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
QUEUE_WAIT = Histogram(
    "fbrain_celery_task_queue_wait_seconds",
    "Time from publishing a task (or its ETA) to its start in a worker.",
    ["task", "queue"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0),
)
ACTIVE = Gauge(
    "fbrain_celery_tasks_active",
    "Tasks running now.",
    ["queue"],
    multiprocess_mode="livesum",
)

_STATES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}
_started: dict[str, tuple[float, str, str]] = {}


def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def _queue_of(delivery_info: Any) -> str:
    if isinstance(delivery_info, dict):
        return str(delivery_info.get("routing_key") or delivery_info.get("queue") or "unknown")
    return "unknown"


def _header(request: Any, name: str) -> Any:
    value = getattr(request, name, None)
    if value is None and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(name)
    return value


# ---------------------------------------------------------------- signal handlers


@signals.before_task_publish.connect
def stamp_published_at(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Stamp the publish time on every message (also retries) so the worker can measure queue wait."""
    if headers is not None:
        headers[PUBLISHED_AT_HEADER] = time.time()


@signals.task_received.connect
def count_received(request: Any = None, **_: Any) -> None:
    if request is not None:
        TASKS.labels(task=request.name, queue=_queue_of(request.delivery_info), state="received").inc()


def queue_wait_seconds(published_at: Any, eta: Any, now: float) -> float | None:
    """Seconds the task waited to start: from its publish time, or from its ETA when it had one."""
    try:
        start = float(published_at)
    except (TypeError, ValueError):
        return None
    if eta:
        try:
            eta_at = dt.datetime.fromisoformat(str(eta))
            if eta_at.tzinfo is None:
                eta_at = eta_at.replace(tzinfo=dt.UTC)
            start = max(start, eta_at.timestamp())
        except ValueError:
            pass
    return max(0.0, now - start)


@signals.task_prerun.connect
def task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task is None or not task_id:
        return
    now = time.time()
    queue = _queue_of(getattr(task.request, "delivery_info", None))
    _started[task_id] = (time.perf_counter(), task.name, queue)
    TASKS.labels(task=task.name, queue=queue, state="started").inc()
    ACTIVE.labels(queue=queue).inc()
    wait = queue_wait_seconds(_header(task.request, PUBLISHED_AT_HEADER), getattr(task.request, "eta", None), now)
    if wait is not None:
        QUEUE_WAIT.labels(task=task.name, queue=queue).observe(wait)


@signals.task_postrun.connect
def task_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id or "", None)
    if started is None:
        return
    began, name, queue = started
    RUNTIME.labels(task=name, queue=queue).observe(time.perf_counter() - began)
    ACTIVE.labels(queue=queue).dec()
    TASKS.labels(task=name, queue=queue, state=_STATES.get(state or "", (state or "unknown").lower())).inc()
    if state == "SUCCESS" and task is not None and name in periodic_task_names(task.app):
        _record_periodic_success(name)


@signals.task_revoked.connect
def count_revoked(request: Any = None, **_: Any) -> None:
    if request is not None:
        TASKS.labels(task=request.name, queue=_queue_of(request.delivery_info), state="revoked").inc()


@signals.task_rejected.connect
def count_rejected(message: Any = None, **_: Any) -> None:
    headers = getattr(message, "headers", None) or {}
    name = str(headers.get("task") or "unknown")
    TASKS.labels(task=name, queue=_queue_of(getattr(message, "delivery_info", None)), state="rejected").inc()


@signals.task_unknown.connect
def count_unknown(message: Any = None, name: str | None = None, **_: Any) -> None:
    queue = _queue_of(getattr(message, "delivery_info", None))
    TASKS.labels(task=name or "unknown", queue=queue, state="rejected").inc()


@signals.worker_process_shutdown.connect
def mark_child_dead(**_: Any) -> None:
    """A pool child leaves: drop its live gauges (running tasks) from the sums."""
    if _multiproc_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


@signals.worker_init.connect
def start_exporter(sender: Any = None, **_: Any) -> None:
    """In the worker's main process, before the pool forks: clean the metrics folder, serve /metrics."""
    from celery.apps.worker import Worker

    port = int(os.environ.get("CELERY_METRICS_PORT", DEFAULT_PORT))
    # Only `celery worker` itself: in-process test workers (celery.contrib.testing) must not bind the port.
    if port == 0 or not isinstance(sender, Worker):
        return
    app = sender.app
    path = _multiproc_dir()
    registry: CollectorRegistry
    if path is not None:
        from prometheus_client import multiprocess

        clean_multiproc_dir(path, keep_pid=os.getpid())
        registry = CollectorRegistry()
        # First refresh the Redis-kept gauges (written to this process' file), then read all files.
        registry.register(CeleryStateCollector(app))
        multiprocess.MultiProcessCollector(registry, path=str(path))
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
        if "prefork" in str(getattr(sender, "pool_cls", "")).lower() or "processes" in str(
            getattr(sender, "pool_cls", "")
        ):
            logger.warning("PROMETHEUS_MULTIPROC_DIR is not set: task metrics of prefork children will be missing")
    registry.register(CeleryStateCollector(app))
    addr = os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0")  # noqa: S104 - scraped from the Docker network
    start_http_server(port, addr=addr, registry=registry)
    logger.info("celery metrics exporter listening", extra={"port": port, "multiprocess": path is not None})


_PID_FILE = re.compile(r"_(\d+)\.db$")


def clean_multiproc_dir(path: Path, *, keep_pid: int) -> None:
    """Remove metric files of earlier processes (they would double-count); keep this process' own."""
    path.mkdir(parents=True, exist_ok=True)
    for child in path.iterdir():
        match = _PID_FILE.search(child.name)
        if match and int(match.group(1)) == keep_pid:
            continue
        if child.is_file():
            child.unlink()


# ---------------------------------------------------------------- scrape-time collector


def periodic_task_names(app: Any) -> set[str]:
    return {entry.get("task") for entry in (app.conf.beat_schedule or {}).values()} - {None}


def periodic_tasks(app: Any) -> dict[str, float]:
    """Task name -> shortest schedule period in seconds, from the beat schedule."""
    out: dict[str, float] = {}
    for entry in (app.conf.beat_schedule or {}).values():
        name = entry.get("task")
        period = schedule_period_seconds(entry.get("schedule"))
        if name and period:
            out[name] = min(period, out.get(name, period))
    return out


def schedule_period_seconds(value: Any) -> float | None:
    """Period of a beat schedule: number, timedelta, celery schedule or crontab (gap between next two runs)."""
    from celery.schedules import crontab
    from celery.schedules import schedule as interval

    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, crontab):
        now = value.now()
        first = now + value.remaining_estimate(now)
        second = now + value.remaining_estimate(first + dt.timedelta(seconds=1))
        return float(round((second - first).total_seconds()))
    if isinstance(value, interval):
        return float(value.run_every.total_seconds())  # type: ignore[attr-defined]
    return None


def _record_periodic_success(name: str) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        client.hset(redis_key(*PERIODIC_LAST_SUCCESS), name, repr(time.time()))
    except Exception:  # metrics must not fail a task that succeeded
        logger.warning("could not record periodic task success", exc_info=True)


def record_backup_success(timestamp: float | None = None) -> None:
    """Record a successful backup (exported as fbrain_backup_last_success_timestamp_seconds).

    For scripts: `python -c 'from fbrain.core.celery_metrics import record_backup_success as r; r()'`
    with Django set up, or `redis-cli -u "$REDIS_URL" HSET <prefix>:metrics:last_success backup "$(date +%s)"`
    (`<prefix>` is CACHE_KEY_PREFIX).
    """
    client = redis_client()
    if client is None:
        raise RuntimeError("REDIS_URL is not set: cannot record the backup time")
    client.hset(redis_key(*LAST_SUCCESS), "backup", repr(time.time() if timestamp is None else timestamp))


def queue_keys(queue: str, transport_options: dict[str, Any]) -> list[str]:
    """Redis keys holding a kombu queue: the queue itself and its priority sub-queues."""
    prefix = transport_options.get("global_keyprefix", "")
    sep = transport_options.get("sep", "\x06\x16")
    steps = transport_options.get("priority_steps", [0, 3, 6, 9])
    return [f"{prefix}{queue}" if not step else f"{prefix}{queue}{sep}{step}" for step in steps]


class CeleryStateCollector(Collector):
    """Values read at scrape time with O(1) work each: nothing here grows with the data."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._migrations: dict[str, int] = {}
        self._migrations_at = 0.0
        self._lock = threading.Lock()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._queue_lengths()
        yield from self._redis_state()
        yield from self._unapplied_migrations()

    def _queues(self) -> Iterable[str]:
        from django.conf import settings

        return getattr(settings, "FBRAIN_QUEUES", None) or DEFAULT_QUEUES

    def _queue_lengths(self) -> Iterator[GaugeMetricFamily]:
        url = str(self.app.conf.broker_url or "")
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return
        family = GaugeMetricFamily("fbrain_celery_queue_length", "Messages waiting in the broker.", labels=["queue"])
        try:
            client = redis_for(url)
            options = dict(self.app.conf.broker_transport_options or {})
            queues = list(self._queues())
            pipe = client.pipeline(transaction=False)
            for queue in queues:
                for key in queue_keys(queue, options):
                    pipe.llen(key)
            lengths = iter(pipe.execute())
            per_queue = len(queue_keys("q", options))
            for queue in queues:
                family.add_metric([queue], float(sum(next(lengths) for _ in range(per_queue))))
        except Exception:  # a broken broker shows as missing series and RedisDown
            logger.warning("could not read queue lengths", exc_info=True)
            return
        yield family

    def _redis_state(self) -> Iterator[GaugeMetricFamily]:
        client = redis_client()
        if client is None:
            return
        periods = periodic_tasks(self.app)
        try:
            now = repr(time.time())
            periodic_key, backup_key = redis_key(*PERIODIC_LAST_SUCCESS), redis_key(*LAST_SUCCESS)
            pipe = client.pipeline(transaction=False)
            # Never succeeded since monitoring started: count from now, so a periodic task that
            # never runs, or a backup that never happens, still turns stale after two periods.
            for name in periods:
                pipe.hsetnx(periodic_key, name, now)
            pipe.hsetnx(backup_key, "backup", now)
            pipe.hgetall(periodic_key)
            pipe.hget(backup_key, "backup")
            pipe.pfcount(activity.day_key())
            *_, last_success, backup, active = pipe.execute()
        except Exception:  # Redis down: RedisDown alerts; these series just pause
            logger.warning("could not read metric state from Redis", exc_info=True)
            return
        # The gauges are defined in business_metrics; setting them here lands in this process'
        # multiprocess file, which the MultiProcessCollector registered after us then reads.
        for name in periods:
            business_metrics.PERIODIC_TASK_LAST_SUCCESS.labels(task=name).set(float(last_success[name.encode()]))
        business_metrics.BACKUP_LAST_SUCCESS.set(float(backup))
        period = GaugeMetricFamily(
            "fbrain_periodic_task_period_seconds", "Schedule period of a periodic task.", labels=["task"]
        )
        for name, seconds in sorted(periods.items()):
            period.add_metric([name], seconds)
        yield period
        yield GaugeMetricFamily(
            "fbrain_active_users_daily", "Distinct users active today (UTC, HyperLogLog).", value=float(active)
        )

    def _unapplied_migrations(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            if time.monotonic() - self._migrations_at > MIGRATIONS_REFRESH_SECONDS or not self._migrations_at:
                counts = count_unapplied_migrations()
                if counts is not None:
                    self._migrations = counts
                    self._migrations_at = time.monotonic()
            counts = dict(self._migrations)
        if not counts:
            return
        family = GaugeMetricFamily(
            "fbrain_migrations_unapplied",
            "Migrations of the deployed code not applied to the database.",
            labels=["connection"],
        )
        for alias, count in sorted(counts.items()):
            family.add_metric([alias], float(count))
        yield family


def count_unapplied_migrations() -> dict[str, int] | None:
    """Unapplied migrations per database alias, or None when the database cannot be asked."""
    from django.apps import apps
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    if not apps.ready:
        return None
    counts = {}
    try:
        for alias in connections:
            connection = connections[alias]
            try:
                executor = MigrationExecutor(connection)
                counts[alias] = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
            finally:
                connection.close()
    except Exception:  # PostgresDown covers a dead database
        logger.warning("could not count unapplied migrations", exc_info=True)
        return None
    return counts
