"""Liveness, readiness and the operators' status endpoint."""

import time

import pytest
from django.test import override_settings

from fbrain.core import health


@pytest.fixture(autouse=True)
def _fresh_clients():
    health.redis_client.cache_clear()
    yield
    health.redis_client.cache_clear()


def test_healthz_answers_without_touching_dependencies(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_every_dependency_answers(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.slow
@pytest.mark.django_db
def test_readyz_names_redis_when_it_stops_and_recovers_when_it_returns(client, redis_server):
    with override_settings(REDIS_URL=redis_server.url, CELERY_BROKER_URL=redis_server.url):
        assert client.get("/readyz").status_code == 200

        redis_server.stop()
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
        body = response.json()
        assert response.status_code == 503
        assert set(body["failing"]) == {"cache", "broker"}
        assert "redis" in body["checks"]["cache"]["detail"]
        assert elapsed < 3

        redis_server.start()
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_reports_unapplied_migrations(client, monkeypatch):
    class PendingExecutor:
        def __init__(self, connection):
            self.loader = type("Loader", (), {"graph": type("Graph", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets):
            migration = type("Migration", (), {"app_label": "notes", "name": "0002_new"})()
            return [(migration, False)]

    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "MigrationExecutor", PendingExecutor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert "notes.0002_new" in response.json()["checks"]["migrations"]["detail"]


@pytest.mark.django_db
def test_readyz_without_redis_uses_local_cache_and_eager_tasks(client):
    with override_settings(REDIS_URL=None, CELERY_BROKER_URL="memory://"):
        body = client.get("/readyz").json()
    assert body["checks"]["cache"]["detail"] == "locmem"
    assert body["checks"]["broker"]["detail"].startswith("eager")


@pytest.mark.django_db
def test_status_is_for_staff_only(api_client, user):
    assert api_client.get("/api/v1/status").status_code == 401
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/status")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_status_reports_version_dependencies_and_queues(staff_client, settings):
    settings.APP_VERSION = "1.2.3"
    settings.GIT_REVISION = "abc123"
    body = staff_client.get("/api/v1/status").json()
    assert body["version"] == "1.2.3"
    assert body["revision"] == "abc123"
    assert body["checks"]["database"]["ok"] is True
    assert set(body["queues"]) == {"celery", "capture", "transfer", "maintenance"}
    assert all(isinstance(length, int) for length in body["queues"].values())


@pytest.mark.celery_worker
def test_status_lists_a_running_worker(staff_client, celery_worker):
    body = staff_client.get("/api/v1/status").json()
    assert body["celery"]["mode"] == "broker"
    assert len(body["celery"]["workers"]) >= 1


@pytest.mark.needs_redis
def test_queue_lengths_count_every_priority_list(settings):
    client = health.redis_client(settings.CELERY_BROKER_URL)
    queue = "fbrain-test-queue"
    # The tests' broker keys carry their own prefix (config/settings/test.py): the count must include it.
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
    plain, priority = f"{prefix}{queue}", f"{prefix}{queue}\x06\x163"
    client.delete(plain, priority)
    client.rpush(plain, "a", "b")
    client.rpush(priority, "c")
    try:
        assert health._queue_length(client, queue) == 3
    finally:
        client.delete(plain, priority)
