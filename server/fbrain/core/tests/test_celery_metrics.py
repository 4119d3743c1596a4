"""Celery metrics: signal-fed task metrics, scrape-time collector, and a real prefork worker's exporter."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from celery import Celery
from celery.schedules import crontab, schedule

from conftest import free_port, wait_for_port
from fbrain.core import activity, celery_metrics

SERVER_DIR = Path(__file__).resolve().parents[3]


def test_queue_wait_counts_from_publish_time():
    assert celery_metrics.queue_wait_seconds(100.0, None, now=102.5) == 2.5


def test_queue_wait_counts_from_eta_when_later_than_publish():
    eta = dt.datetime.fromtimestamp(160.0, tz=dt.UTC).isoformat()

    assert celery_metrics.queue_wait_seconds(100.0, eta, now=161.0) == 1.0


def test_queue_wait_never_negative_and_ignores_missing_header():
    assert celery_metrics.queue_wait_seconds(200.0, None, now=100.0) == 0.0
    assert celery_metrics.queue_wait_seconds(None, None, now=100.0) is None
    assert celery_metrics.queue_wait_seconds("garbage", None, now=100.0) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30.0),
        (dt.timedelta(hours=1), 3600.0),
        (schedule(run_every=dt.timedelta(minutes=5)), 300.0),
        (crontab(minute="*/15"), 900.0),
        (crontab(minute=0, hour=3), 86400.0),
    ],
)
def test_schedule_period_seconds(value, seconds):
    assert celery_metrics.schedule_period_seconds(value) == seconds


def test_queue_keys_include_priority_subqueues():
    assert celery_metrics.queue_keys("capture", {}) == [
        "capture",
        "capture\x06\x163",
        "capture\x06\x166",
        "capture\x06\x169",
    ]
    assert celery_metrics.queue_keys("q", {"global_keyprefix": "p:", "priority_steps": [0]}) == ["p:q"]


def test_exporter_starts_only_for_the_celery_worker_command(monkeypatch):
    started = []
    monkeypatch.setattr(celery_metrics, "start_http_server", lambda *a, **kw: started.append(a))

    celery_metrics.start_exporter(sender=SimpleNamespace(app=None))

    assert started == []


def test_worker_gets_its_own_multiproc_subdir(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("CELERY_METRICS_PORT", "9999")

    celery_metrics._worker_multiproc_subdir(["celery", "-A", "config", "beat"])
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)

    celery_metrics._worker_multiproc_subdir(["celery", "-A", "config", "worker", "-l", "INFO"])
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "celery-worker-9999")
    assert (tmp_path / "celery-worker-9999").is_dir()

    celery_metrics._worker_multiproc_subdir(["celery", "-A", "config", "worker"])
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "celery-worker-9999")


def test_clean_multiproc_dir_keeps_only_this_process_files(tmp_path):
    for name in ("counter_11.db", "histogram_12.db", "gauge_livesum_13.db", f"counter_{os.getpid()}.db"):
        (tmp_path / name).write_bytes(b"x")

    celery_metrics.clean_multiproc_dir(tmp_path, keep_pid=os.getpid())

    assert [p.name for p in tmp_path.iterdir()] == [f"counter_{os.getpid()}.db"]


def _families(collector) -> dict[str, dict[tuple[str, ...], float]]:
    out: dict[str, dict[tuple[str, ...], float]] = {}
    for family in collector.collect():
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.values()))] = sample.value
    return out


def test_collector_reads_queues_schedule_and_redis_state(transactional_db, redis_server, settings):
    settings.REDIS_URL = redis_server.url
    settings.CACHE_KEY_PREFIX = "tenant-a"
    client = redis.Redis.from_url(redis_server.url)
    client.rpush("capture", "a", "b")
    client.rpush("capture\x06\x166", "c")
    client.rpush("transfer", "d")
    client.delete("tenant-a:metrics:periodic_last_success", "tenant-a:metrics:last_success")
    client.hset("tenant-a:metrics:periodic_last_success", "fbrain.done", "1234.5")
    client.pfadd(activity.day_key(), "1", "2")
    app = SimpleNamespace(
        conf=SimpleNamespace(
            broker_url=redis_server.url,
            broker_transport_options={},
            beat_schedule={
                "done": {"task": "fbrain.done", "schedule": 60.0},
                "never": {"task": "fbrain.never", "schedule": crontab(minute="*/10")},
            },
        )
    )
    before = time.time()

    values = _families(celery_metrics.CeleryStateCollector(app))

    assert values["fbrain_celery_queue_length"] == {
        ("capture",): 3.0,
        ("transfer",): 1.0,
        ("celery",): 0.0,
        ("maintenance",): 0.0,
    }
    assert values["fbrain_periodic_task_period_seconds"] == {("fbrain.done",): 60.0, ("fbrain.never",): 600.0}
    assert values["fbrain_active_users_daily"] == {(): 2.0}
    assert values["fbrain_migrations_unapplied"] == {("default",): 0.0}
    # Last-success gauges live in business_metrics; a never-run task and the backup start counting now.
    from fbrain.core import business_metrics

    assert business_metrics.PERIODIC_TASK_LAST_SUCCESS.labels(task="fbrain.done")._value.get() == 1234.5
    assert business_metrics.PERIODIC_TASK_LAST_SUCCESS.labels(task="fbrain.never")._value.get() >= before
    assert business_metrics.BACKUP_LAST_SUCCESS._value.get() >= before


def test_record_backup_success_is_exported_under_the_configured_prefix(redis_server, settings):
    settings.REDIS_URL = redis_server.url
    settings.CACHE_KEY_PREFIX = "tenant-a"
    celery_metrics.record_backup_success(1700000000.0)

    stored = redis.Redis.from_url(redis_server.url).hget("tenant-a:metrics:last_success", "backup")
    assert stored == b"1700000000.0"


def test_collector_survives_redis_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    app = SimpleNamespace(
        conf=SimpleNamespace(broker_url="redis://127.0.0.1:9/0", broker_transport_options={}, beat_schedule={})
    )
    collector = celery_metrics.CeleryStateCollector(app)
    collector._migrations_at = time.monotonic()  # skip the database

    assert _families(collector) == {}


def _scrape(port: int) -> dict[str, float]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    out: dict[str, float] = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def _total(samples: dict[str, float], prefix: str, *needles: str) -> float:
    return sum(v for k, v in samples.items() if k.startswith(prefix) and all(n in k for n in needles))


@pytest.mark.slow
def test_prefork_worker_serves_metrics_of_all_children(tmp_path, redis_server, settings):
    """A real `celery worker` with two prefork children: the main process serves their summed metrics."""
    port = free_port()
    shared = tmp_path / "metrics"  # shared with gunicorn, as on a single host
    multiproc = shared / f"celery-worker-{port}"
    multiproc.mkdir(parents=True)
    (multiproc / "counter_999999.db").write_bytes(b"stale")
    (shared / "counter_999998.db").write_bytes(b"the web's")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_RESULT_BACKEND": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "CELERY_METRICS_PORT": str(port),
        "CELERY_METRICS_ADDR": "127.0.0.1",
        "DATA_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "2", "-l", "WARNING",
         "-Q", "celery,capture,transfer,maintenance", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=SERVER_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=30)
        assert not (multiproc / "counter_999999.db").exists()
        producer = Celery("probe", broker=redis_server.url, set_as_current=False)
        # The worker runs the test settings, whose broker keys carry the tests' prefix: publish under it too.
        producer.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        queues = ["celery", "capture", "transfer", "maintenance"]
        for i in range(8):
            producer.send_task("fbrain.core.tasks.ping", args=[f"p{i}"], queue=queues[i % 4])
        producer.send_task("celery.accumulate", args=[1], kwargs={"index": 5}, queue="capture")

        deadline = time.monotonic() + 30
        samples: dict[str, float] = {}
        while time.monotonic() < deadline:
            samples = _scrape(port)
            done = _total(samples, "fbrain_celery_tasks_total", 'state="succeeded"', "fbrain.core.tasks.ping")
            failed = _total(samples, "fbrain_celery_tasks_total", 'state="failed"')
            if done == 8 and failed == 1:
                break
            time.sleep(0.2)

        assert _total(samples, "fbrain_celery_tasks_total", 'state="succeeded"', "fbrain.core.tasks.ping") == 8
        assert _total(samples, "fbrain_celery_tasks_total", 'state="failed"', "celery.accumulate") == 1
        assert _total(samples, "fbrain_celery_tasks_total", 'state="received"') == 9
        assert _total(samples, "fbrain_celery_task_queue_wait_seconds_count", 'queue="transfer"') == 2
        assert _total(samples, "fbrain_celery_task_runtime_seconds_count") == 9
        assert _total(samples, "fbrain_celery_tasks_active") == 0
        assert {k for k in samples if k.startswith("fbrain_celery_queue_length")} == {
            f'fbrain_celery_queue_length{{queue="{q}"}}' for q in queues
        }
        assert len(list(multiproc.glob("histogram_*.db"))) >= 1
        assert [p.name for p in shared.glob("*.db")] == ["counter_999998.db"]
    finally:
        worker.terminate()
        worker.wait(timeout=20)
