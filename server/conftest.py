"""Shared pytest fixtures (API clients, users, a real Celery worker, free ports, Redis servers) and backend markers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import signals
from django.db import connection

from fbrain.core.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def staff_client(db, api_client):
    api_client.force_authenticate(UserFactory(is_staff=True))
    return api_client


def _close_worker_db_connection(**_: object) -> None:
    # The in-process worker thread owns its own DB connection; close it so test teardown can flush/drop.
    connection.close()


@pytest.fixture
def celery_worker(transactional_db, settings) -> Iterator[object]:
    """A real Celery worker consuming from the real Redis broker (thread in this process, solo pool)."""
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    app.conf.task_always_eager = False
    app.control.purge()
    signals.task_postrun.connect(_close_worker_db_connection, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            queues=settings.FBRAIN_QUEUES,
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        signals.task_postrun.disconnect(_close_worker_db_connection)
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class RedisServer:
    """A private redis-server on a free port, which a test may stop and start again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# What a backend cannot run is skipped by name, never silently: `postgres_only("why")` on SQLite, and
# `needs_redis` (implied by `celery_worker`) without REDIS_URL. The run ends with the list of what was skipped.
_BY_DESIGN = pytest.StashKey[list[tuple[str, str]]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings
    from django.db import connection

    skipped: list[tuple[str, str]] = []
    for item in items:
        reason = None
        postgres = item.get_closest_marker("postgres_only")
        if postgres is not None and connection.vendor != "postgresql":
            why = postgres.args[0] if postgres.args else "needs PostgreSQL"
            reason = f"postgres_only: {why}"
        needs_redis = (
            item.get_closest_marker("needs_redis") is not None
            or item.get_closest_marker("celery_worker") is not None
            or "celery_worker" in getattr(item, "fixturenames", ())
        )
        if reason is None and needs_redis and settings.CELERY_BROKER_URL.startswith("memory://"):
            reason = "needs_redis: needs a real Redis (REDIS_URL is unset: the pure embedded mode)"
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
            skipped.append((item.nodeid, reason))
    config.stash[_BY_DESIGN] = skipped


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    from django.db import connection

    skipped = config.stash.get(_BY_DESIGN, [])
    terminalreporter.section(f"skipped by design on this backend ({connection.vendor}): {len(skipped)}")
    for nodeid, reason in skipped:
        terminalreporter.write_line(f"{nodeid}  [{reason}]")
