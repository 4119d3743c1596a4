"""/metrics under a real gunicorn with 3 workers: counters from every worker add up exactly."""

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port

SERVER_DIR = Path(__file__).resolve().parents[2]
REQUESTS = 90


def _get(url: str) -> tuple[int, str]:
    # A fresh connection per request lets the kernel spread requests across workers.
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        return response.status, response.read().decode()


def _healthz_count(exposition: str) -> float:
    pattern = re.compile(
        r"^django_http_requests_total_by_view_transport_method_total\{([^}]*)\} ([0-9.e+]+)$", re.MULTILINE
    )
    return sum(float(value) for labels, value in pattern.findall(exposition) if 'view="healthz"' in labels)


@pytest.mark.slow
def test_request_counter_sums_exactly_over_three_gunicorn_workers(tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    (metrics_dir / "stale_counter_999.db").write_bytes(b"left over from a previous run")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WEB_CONCURRENCY": "3",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "warning",
        "DATA_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"],
        cwd=SERVER_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, timeout=30)
        assert not (metrics_dir / "stale_counter_999.db").exists()
        base = f"http://127.0.0.1:{port}"
        for _ in range(REQUESTS):
            assert _get(f"{base}/healthz")[0] == 200
        status, exposition = _get(f"{base}/metrics")
        assert status == 200
        assert _healthz_count(exposition) == REQUESTS
        writers = {path.name.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
        assert len(writers) >= 2, f"requests were served by one worker only: {writers}"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]
