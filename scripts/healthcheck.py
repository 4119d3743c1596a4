#!/usr/bin/env python3
"""Container health checks without curl: `healthcheck.py web|ready|worker|beat` (exit 0 = healthy)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request


def check_web(path: str = "/healthz") -> bool:
    """GET /healthz (or `path`) on the local gunicorn/runserver with a Host header Django accepts."""
    url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz").replace("/healthz", path)
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if h != "*" and not h.startswith(".")), "localhost")
    headers = {"Host": host, "X-Forwarded-Proto": "https"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local URL from our own env)
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
        return bool(response.status == 200)


def check_worker() -> bool:
    """This worker node answers a Celery ping through the broker."""
    node = f"celery@{socket.gethostname()}"
    result = subprocess.run(  # noqa: S603 (fixed argv; celery comes from the image's PATH)
        ["celery", "-A", "config", "inspect", "ping", "--destination", node, "--timeout", "5"],  # noqa: S607
        cwd=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=25,
        check=False,
    )
    return result.returncode == 0


def check_beat() -> bool:
    """Beat has opened its schedule file (it does so once it runs)."""
    data_dir = os.environ.get("DATA_DIR", "data")
    prefix = "celerybeat-schedule"
    try:
        return any(name.startswith(prefix) for name in os.listdir(data_dir))
    except FileNotFoundError:
        return False


def check_ready() -> bool:
    """GET /readyz: database, cache, broker and migrations all answer (used by scripts/deploy.sh)."""
    return check_web("/readyz")


CHECKS = {"web": check_web, "ready": check_ready, "worker": check_worker, "beat": check_beat}


def main() -> int:
    kind = sys.argv[1] if len(sys.argv) > 1 else "web"
    if kind not in CHECKS:
        print(f"usage: healthcheck.py {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    try:
        return 0 if CHECKS[kind]() else 1
    except Exception as exc:  # any failure means unhealthy
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
