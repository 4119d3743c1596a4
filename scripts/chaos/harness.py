"""Chaos harness: a private Postgres, Redis, gunicorn, Celery worker and beat on free localhost ports.

Nothing here touches the machine's shared Postgres (5432) or Redis (6379): every process is started by
the harness, in its own temporary folder, and stopped by its own pid. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
CHAOS_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(os.environ.get("CHAOS_VENV_BIN", ROOT / ".venv" / "bin"))
HOST = "127.0.0.1"


def say(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return True
        time.sleep(interval)
    return False


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def children_of(pid: int) -> list[int]:
    """Direct children of a process, from /proc (no process-name matching)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = Path(stat).read_text()
            ppid = int(text.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(int(stat.split("/")[2]))
    return sorted(found)


# ------------------------------------------------------------------------------------------ Postgres
class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl) owned by the `postgres` user when run as root."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.datadir = workdir / "pgdata"
        self.sockdir = workdir / "pgsock"
        self.log = workdir / "postgres.log"
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not candidates:
            raise RuntimeError("initdb not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
        self.bindir = Path(candidates[-1]).parent
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        for path in (self.sockdir,):
            path.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(workdir, "postgres")
            shutil.chown(self.sockdir, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/fbrain"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self.start()
        self.psql("CREATE DATABASE fbrain")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.sockdir} -c fsync=off -c max_connections=60"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return port_open(self.port)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-X", "-q", "-tA", "-h", HOST, "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()


# ------------------------------------------------------------------------------------------ Redis
class PrivateRedis:
    """A private redis-server with the append-only file on, restartable on the same port and data."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
            ],
            stdout=(self.dir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        if not wait_until(lambda: self.cli("PING") == "PONG", 15):
            raise RuntimeError("private redis did not start")

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-h", HOST, "-p", str(self.port), *args], capture_output=True, text=True, timeout=5
        )
        return result.stdout.strip()

    def shutdown(self) -> None:
        """A clean stop: SHUTDOWN flushes the append-only file first."""
        if self.process is None:
            return
        self.cli("SHUTDOWN")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


# ------------------------------------------------------------------------------------------ fixture pages
class FixturePage(BaseHTTPRequestHandler):
    """A readable HTML page for bookmark captures, after a short delay (so captures are in flight)."""

    delay = 0.1

    def do_GET(self) -> None:
        time.sleep(self.delay)
        body = (
            f"<html><head><title>Chaos page {self.path}</title></head><body><article><h1>Page {self.path}</h1>"
            + "<p>Readable text for the capture under chaos. " * 20
            + "</p></article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def start_fixture_server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((HOST, free_port()), FixturePage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ------------------------------------------------------------------------------------------ app processes
class Proc:
    """A child process in its own session, stopped (with its children) by its process group id.

    With `supervise=True` it is restarted 1 s after it exits on its own, like a container under a restart
    policy (`restart: unless-stopped`, a Kubernetes Deployment); `restarts` counts those restarts.
    """

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], log: Path, cwd: Path = SERVER, supervise: bool = False
    ) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = log
        self.cwd = cwd
        self.popen: subprocess.Popen[bytes] | None = None
        self.supervise = supervise
        self.restarts = 0
        self._stopping = False
        self._monitor: threading.Thread | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def _spawn(self) -> None:
        self.popen = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _watch(self) -> None:
        while not self._stopping:
            popen = self.popen
            if popen is not None and popen.poll() is not None and not self._stopping:
                self.restarts += 1
                say(f"{self.name} exited on its own (code {popen.returncode}); supervisor restarts it in 1 s")
                time.sleep(1)
                if not self._stopping:
                    self._spawn()
            time.sleep(0.2)

    def start(self) -> None:
        self._stopping = False
        self._spawn()
        if self.supervise and self._monitor is None:
            self._monitor = threading.Thread(target=self._watch, daemon=True)
            self._monitor.start()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole process group, on purpose: the supervisor does not restart it."""
        self._stopping = True
        self.signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        self._stopping = True
        if self.popen is None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait(timeout=10)
        self.signal_group(signal.SIGKILL)  # stray children of a killed master
        self.popen = None


@dataclass
class Stack:
    """The whole private installation. Use `with Stack.up() as stack:`."""

    workdir: Path
    pg: PrivatePostgres
    redis: PrivateRedis
    env: dict[str, str]
    web_port: int
    web: Proc | None = None
    worker: Proc | None = None
    beat: Proc | None = None
    extra: list[Proc] = field(default_factory=list)
    token: str = ""
    pages: ThreadingHTTPServer | None = None

    def page_url(self, name: str) -> str:
        assert self.pages is not None
        return f"http://{HOST}:{self.pages.server_port}/{name}"

    @classmethod
    @contextlib.contextmanager
    def up(cls, *, worker: bool = True, beat: bool = False) -> Iterator[Stack]:
        # A CI timeout sends SIGTERM: turn it into SystemExit so the `finally` below stops every process.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        workdir = Path(tempfile.mkdtemp(prefix="fbrain-chaos-"))
        os.chmod(workdir, 0o755)
        pg = PrivatePostgres(workdir / "pg")
        redis = PrivateRedis(workdir)
        stack: Stack | None = None
        try:
            say(f"private Postgres on {HOST}:{pg.port}, Redis (appendonly) on {HOST}:{redis.port}")
            pg.init()
            redis.start()
            web_port = free_port()
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))},
                "DJANGO_SETTINGS_MODULE": "chaos_settings",
                "PYTHONPATH": f"{SERVER}{os.pathsep}{CHAOS_DIR}",
                "DATABASE_URL": pg.url,
                "REDIS_URL": redis.url(0),
                "SECRET_KEY": secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "false",
                "SESSION_COOKIE_SECURE": "false",
                "CSRF_COOKIE_SECURE": "false",
                "DATA_DIR": str(workdir / "data"),
                "MEDIA_ROOT": str(workdir / "data" / "media"),
                "STATIC_ROOT": str(workdir / "static"),
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "WARNING",
                "WEB_CONCURRENCY": "2",
                "GUNICORN_BIND": f"{HOST}:{web_port}",
                "GUNICORN_TIMEOUT": "20",
                "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prom"),
                "CELERY_METRICS_PORT": str(free_port()),
                "CELERY_METRICS_ADDR": HOST,
                "CACHE_KEY_PREFIX": "chaos",
                "THROTTLE_LOGIN_IP": "100000/min",
                "THROTTLE_LOGIN_ACCOUNT": "100000/min",
                "THROTTLE_TOKEN_CREATE": "100000/min",
                "THROTTLE_WRITE": "100000/min",
                "CAPTURE_ALLOW_HOSTS": HOST,
                "JOB_STALL_SECONDS": "10",
            }
            (workdir / "data" / "media").mkdir(parents=True)
            (workdir / "prom").mkdir()
            stack = cls(workdir=workdir, pg=pg, redis=redis, env=env, web_port=web_port)
            stack.pages = start_fixture_server()
            stack.manage("migrate", "--noinput")
            stack.manage("collectstatic", "--noinput")
            pg.psql(
                "CREATE TABLE chaos_effect (key text PRIMARY KEY, runs int NOT NULL);"
                "CREATE TABLE chaos_tick (id serial PRIMARY KEY, at timestamptz NOT NULL)",
                "fbrain",
            )
            stack.start_web()
            if worker:
                stack.start_worker()
            if beat:
                stack.start_beat()
            stack.token = stack.create_user_token("chaos", "chaos-password-1234")
            yield stack
        finally:
            if stack is not None:
                if stack.pages is not None:
                    stack.pages.shutdown()
                for proc in [*stack.extra, stack.beat, stack.worker, stack.web]:
                    if proc is not None:
                        proc.stop()
            with contextlib.suppress(Exception):
                redis.shutdown()
            with contextlib.suppress(Exception):
                if pg.running():
                    pg.stop("immediate")
            if os.environ.get("CHAOS_KEEP"):
                say(f"kept {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)

    # -------------------------------------------------------------------- processes
    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args], cwd=SERVER, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_web(self) -> None:
        self.web = Proc(
            "gunicorn",
            [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "-c", "config/gunicorn.conf.py"],
            self.env,
            self.workdir / "gunicorn.log",
        )
        self.web.start()
        if not wait_until(lambda: self.get("/healthz")[0] == 200, 30):
            raise RuntimeError(f"gunicorn did not answer; see {self.web.log}")
        wait_until(lambda: len(children_of(self.web.pid)) >= 2, 15)

    def worker_proc(self, name: str, queues: str, concurrency: int = 2) -> Proc:
        return Proc(
            name,
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-l",
                "INFO",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "-n",
                f"{name}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            {**self.env, "CELERY_METRICS_PORT": str(free_port()), "LOG_LEVEL": "INFO"},
            self.workdir / f"{name}.log",
            supervise=True,
        )

    def start_worker(self) -> None:
        self.worker = self.worker_proc("worker", "celery,capture,transfer,maintenance", concurrency=4)
        self._ready_before = self.worker_log().count(" ready.")
        self.worker.start()
        if not wait_until(self.worker_ready, 40, 0.5):
            raise RuntimeError(f"celery worker did not come up; see {self.worker.log}")

    def worker_ready(self) -> bool:
        return self.worker_log().count(" ready.") > self._ready_before if self.worker else False

    _ready_before = 0

    def restarts(self) -> dict[str, int]:
        return {p.name: p.restarts for p in (self.web, self.worker, self.beat) if p is not None}

    def worker_log(self) -> str:
        return self.worker.log.read_text(errors="replace") if self.worker and self.worker.log.exists() else ""

    def start_beat(self) -> None:
        self.beat = Proc(
            "beat",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "beat",
                "-l",
                "WARNING",
                "-s",
                str(self.workdir / "data" / "celerybeat-schedule"),
            ],
            self.env,
            self.workdir / "beat.log",
            supervise=True,
        )
        self.beat.start()

    # -------------------------------------------------------------------- HTTP
    def request(
        self, method: str, path: str, body: object | None = None, token: str | None = None, timeout: float = 15
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(HOST, self.web_port, timeout=timeout)
        headers = {"Connection": "close", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Token {token}"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def get(self, path: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, token=token)

    def create_user_token(self, username: str, password: str) -> str:
        script = (
            "from django.contrib.auth.models import User;"
            f"User.objects.filter(username={username!r}).exists() or "
            f"User.objects.create_user({username!r}, password={password!r})"
        )
        self.manage("shell", "-c", script)
        status, _, body = self.request("POST", "/api/v1/auth/token", {"username": username, "password": password})
        if status != 201:
            raise RuntimeError(f"sign-in failed: {status} {body[:200]!r}")
        return str(json.loads(body)["token"])

    def api_paths(self) -> set[str]:
        status, _, body = self.get("/api/schema/?format=json", token=self.token)
        if status != 200:
            return set()
        return set(json.loads(body).get("paths", {}))

    def effects(self) -> tuple[int, int]:
        """(distinct effects, total runs) recorded by chaos.record."""
        out = self.pg.psql("SELECT count(*), coalesce(sum(runs), 0) FROM chaos_effect", "fbrain")
        done, runs = out.split("|")
        return int(done), int(runs)


# ------------------------------------------------------------------------------------------ load
@dataclass
class Sample:
    at: float
    method: str
    path: str
    status: int  # 0: connection error or timeout
    clean: bool  # JSON body with the project's error shape (or a success)
    detail: str = ""


class Load:
    """Bounded concurrent HTTP load on the private gunicorn: `threads` loops, each for at most `seconds`."""

    def __init__(
        self,
        stack: Stack,
        requests: Callable[[int], tuple[str, str, object | None]],
        *,
        threads: int = 4,
        seconds: float = 30,
        max_requests: int = 20000,
        pause: float = 0.01,
    ) -> None:
        self.stack = stack
        self.make = requests
        self.threads = threads
        self.seconds = seconds
        self.max_requests = max_requests
        self.pause = pause
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self.started = 0.0

    def _loop(self, n: int) -> None:
        i = 0
        deadline = self.started + self.seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            with self._lock:
                if len(self.samples) >= self.max_requests:
                    return
            method, path, body = self.make(n * 1_000_000 + i)
            i += 1
            at = time.monotonic()
            try:
                status, headers, payload = self.stack.request(method, path, body, token=self.stack.token)
                clean = status < 400 or _is_error_shape(headers, payload)
                sample = Sample(at, method, path, status, clean, payload[:120].decode(errors="replace"))
            except (OSError, http.client.HTTPException) as exc:
                sample = Sample(at, method, path, 0, False, type(exc).__name__)
            with self._lock:
                self.samples.append(sample)
            time.sleep(self.pause)

    def __enter__(self) -> Load:
        self.started = time.monotonic()
        self._workers = [threading.Thread(target=self._loop, args=(n,), daemon=True) for n in range(self.threads)]
        for thread in self._workers:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at < end]


def _is_error_shape(headers: dict[str, str], payload: bytes) -> bool:
    if not headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        error = json.loads(payload)["error"]
        return isinstance(error["code"], str) and isinstance(error["message"], str)
    except (ValueError, KeyError, TypeError):
        return False


def api_mix(stack: Stack) -> Callable[[int], tuple[str, str, object | None]]:
    """Reads and writes against the API that exists: notes when the notes API is there, tokens always."""
    paths = stack.api_paths()
    notes = next((p for p in ("/api/v1/notes/", "/api/v1/notes") if p in paths), None)
    bookmarks = "/api/v1/bookmarks" in paths
    run = secrets.token_hex(3)

    def make(i: int) -> tuple[str, str, object | None]:
        kind = i % 5
        if kind == 4:
            if bookmarks:  # a write that queues a Celery task: the broker is on the request path
                return "POST", "/api/v1/bookmarks", {"url": stack.page_url(f"load-{run}-{i}")}
            kind = 3
        if notes and kind == 0:
            return "POST", notes, {"title": f"chaos note {i}", "body": f"load [[chaos note {i - 1}]] #chaos"}
        if notes and kind == 1:
            return "GET", f"{notes}?page_size=20", None
        if kind == 2:
            return "POST", "/api/v1/tokens/", {"name": f"chaos {i}"}
        return "GET", "/api/v1/tokens/?page_size=10", None

    return make


@dataclass
class Result:
    scenario: str
    passed: bool
    figures: dict[str, object]
    problems: list[str]
    skipped: str = ""
    key: str = ""
    findings: list[str] = field(default_factory=list)

    def print(self) -> None:
        state = "SKIPPED" if self.skipped else ("PASS" if self.passed else "FAIL")
        say(f"scenario {self.scenario}: {state}{(': ' + self.skipped) if self.skipped else ''}")
        for key, value in self.figures.items():
            print(f"    measured {key}: {value}", flush=True)
        for finding in self.findings:
            print(f"    FINDING (passes, but look): {finding}", flush=True)
        for problem in self.problems:
            print(f"    PROBLEM: {problem}", flush=True)


def run_standalone(scenario: Callable[[Stack], Result], **stack_args: bool) -> None:
    """Entry point of one scenario script: bring a stack up, run, print, exit non-zero on failure."""
    with Stack.up(**stack_args) as stack:
        result = scenario(stack)
    result.print()
    sys.exit(0 if result.passed or result.skipped else 1)
