"""Start F_BRAIN in production mode on this machine for load tests and benchmarks.

gunicorn (WEB_CONCURRENCY workers) + a Celery worker (+ beat) against a private database on the local
Postgres and a private Redis database number. Used by `make load` and the scripts in scripts/bench/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@dataclass
class Stack:
    port: int
    database: str
    redis_url: str
    web_concurrency: int
    worker_concurrency: int
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(PYTHON), "manage.py", *args], cwd=SERVER, env=self.env, text=True, capture_output=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def python(self, code: str) -> str:
        """Run Django code in the stack's environment (for seeding); returns its stdout."""
        setup = "import django; django.setup()\n"
        result = subprocess.run(
            [str(PYTHON), "-c", setup + code], cwd=SERVER, env=self.env, text=True, capture_output=True
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr[-3000:])
        return result.stdout


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


def _database_exists(name: str) -> bool:
    result = subprocess.run(
        ["psql", PG_ADMIN_URL, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True, capture_output=True, text=True,
    )
    return result.stdout.strip() == "1"


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=3) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = str(exc)
        time.sleep(0.3)
    raise TimeoutError(f"{url}/readyz not ready after {timeout}s: {last}")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def environment(*, port: int, database: str, redis_url: str, web_concurrency: int, workdir: Path,
                extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The production-settings environment of a bench stack (also used to run Django in-process against it)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SIGNUP_ENABLED": "true",
        "WEB_CONCURRENCY": str(web_concurrency),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_TIMEOUT": "60",
        "LOG_LEVEL": "warning",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prom"),
        "STATIC_ROOT": str(workdir / "static"),
        "DATA_DIR": str(workdir / "data"),
        "CAPTURE_ALLOW_HOSTS": "127.0.0.1,localhost",
        # Load tests create users and tokens at a rate no person would.
        "THROTTLE_LOGIN_IP": "100000/min",
        "THROTTLE_LOGIN_ACCOUNT": "100000/min",
        "THROTTLE_SIGNUP": "100000/min",
        "THROTTLE_TOKEN_CREATE": "100000/min",
        **(extra_env or {}),
    }


@contextlib.contextmanager
def running_stack(
    *,
    port: int = 18000,
    database: str = "fbrain_bench",
    redis_db: int = 9,
    web_concurrency: int = 2,
    worker_concurrency: int = 2,
    fresh: bool = True,
    beat: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Migrate a private database and run gunicorn + Celery on it until the block ends."""
    if not _port_free(port):
        raise SystemExit(f"port {port} is in use: stop what listens there or pass another port")
    workdir = Path(tempfile.mkdtemp(prefix="fbrain-bench-"))
    redis_url = os.environ.get("BENCH_REDIS_URL", f"redis://127.0.0.1:6379/{redis_db}")
    stack = Stack(port, database, redis_url, web_concurrency, worker_concurrency, workdir)
    stack.env = environment(port=port, database=database, redis_url=redis_url,
                            web_concurrency=web_concurrency, workdir=workdir, extra_env=extra_env)
    (workdir / "data").mkdir()
    if fresh:
        _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if fresh or not _database_exists(database):
        _psql(f'CREATE DATABASE "{database}"')
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    logs = workdir / "logs"
    logs.mkdir()
    commands = [
        ("web", [str(PYTHON), "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"]),
        (
            "worker",
            [str(PYTHON), "-m", "celery", "-A", "config", "worker", "-l", "WARNING", "-c", str(worker_concurrency),
             "-Q", "celery,capture,transfer,maintenance", "-n", f"bench-{port}@%h"],
        ),
    ]
    if beat:
        commands.append(
            ("beat", [str(PYTHON), "-m", "celery", "-A", "config", "beat", "-l", "WARNING",
                      "-s", str(workdir / "celerybeat-schedule")])
        )
    try:
        for name, command in commands:
            log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
            stack.processes.append(
                subprocess.Popen(command, cwd=SERVER, env=stack.env, stdout=log, stderr=subprocess.STDOUT)
            )
        _wait_ready(stack.base_url)
        yield stack
    finally:
        for process in stack.processes:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in stack.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(f"logs kept in {logs}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18000")))
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "fbrain_bench"))
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("BENCH_REDIS_DB", "9")))
    parser.add_argument("--web-concurrency", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run while the stack serves")
    args = parser.parse_args()
    with running_stack(
        port=args.port, database=args.database, redis_db=args.redis_db, web_concurrency=args.web_concurrency
    ) as stack:
        print(json.dumps({"base_url": stack.base_url, "database": stack.database}), flush=True)
        env = {**os.environ, "BASE_URL": stack.base_url}
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if command:
            sys.exit(subprocess.call(command, env=env))
        print("serving until Ctrl-C", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
