"""Gunicorn configuration: workers from WEB_CONCURRENCY, JSON access log, Prometheus multiprocess hooks."""

import os
import shutil
from pathlib import Path


def _setting(name: str, default: str) -> str:
    # An empty variable (a `NAME=` line from .env.example) keeps the default.
    return os.environ.get(name) or default


bind = _setting("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(_setting("WEB_CONCURRENCY", "2"))
threads = int(_setting("GUNICORN_THREADS", "1"))
timeout = int(_setting("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(_setting("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# Long search queries make long URLs: allow request lines up to 8 KiB (the default is 4 KiB).
limit_request_line = 8190
max_requests = int(_setting("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# /dev/shm keeps the heartbeat files off a possibly read-only or slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn heartbeat files)
forwarded_allow_ips = _setting("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = _setting("LOG_LEVEL", "info").lower()
if _setting("LOG_FORMAT", "json") == "json":
    access_log_format = (
        '{"logger":"gunicorn.access","remote":"%(h)s","method":"%(m)s","path":"%(U)s",'
        '"query":"%(q)s","status":%(s)s,"bytes":"%(B)s","duration_ms":%(M)s,'
        '"request_id":"%({x-request-id}o)s","user_agent":"%(a)s"}'
    )


def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server):
    """Start from an empty metrics folder: stale files from a previous run would double-count."""
    path = _multiproc_dir()
    if path is None:
        return
    if path.exists():
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """Mark a dead worker's live gauges so they stop being reported."""
    if _multiproc_dir() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
