#!/usr/bin/env python3
"""Live monitoring test: every dashboard panel query and recording rule returns data from the running app.

Starts on 127.0.0.1 (free ports): gunicorn with 3 workers, a Celery worker (prefork, 2 children) and
beat against a scratch Postgres database and a private Redis database number, the Postgres, Redis and
node exporters, Alertmanager, and Prometheus with the project's prometheus.yml (only target
addresses rewritten) and rules. Drives traffic, then evaluates through Prometheus' HTTP API every
panel query of every dashboard (template variables substituted) and every recording rule, failing on
an error or an empty result. Finally stops the worker and requires CeleryWorkerDown (in a rules copy
with a short `for`) to go pending.

Run with the project's venv: `.venv/bin/python scripts/observability/live_test.py` (see
.ci/steps/60-observability-live.sh, which installs the Debian binaries first).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import redis
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("OBS_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("OBS_DATABASE", "fbrain_obs")
REDIS_BASE = os.environ.get("OBS_REDIS_BASE", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("OBS_REDIS_DB", "5"))
QUEUES = ["celery", "capture", "transfer", "maintenance"]
WORKER_DOWN_FOR = "15s"
RATE_INTERVAL = "1m"  # what Grafana's $__rate_interval is for a 15 s scrape interval
started = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(what: str, check: Callable[[], bool], timeout: float, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(interval)
    raise SystemExit(f"FAIL: {what} not ready after {timeout:.0f}s")


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - localhost only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Processes:
    """Child processes started by this test, stopped in reverse order."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        out = (self.logdir / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, name: str, timeout: float = 20) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                tail = (self.logdir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"FAIL: {name} exited with {process.returncode}:\n{tail}")

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)


def pg_admin(sql: str) -> None:
    connection = psycopg2.connect(PG_ADMIN_URL)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@contextmanager
def scratch_database() -> Iterator[str]:
    pg_admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{DATABASE}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def reset_redis(url: str) -> None:
    """Remove what earlier runs left in our Redis database: queues and metric state."""
    client = redis.Redis.from_url(url)
    keys = [k for q in QUEUES for k in (q, *(f"{q}\x06\x16{p}" for p in (3, 6, 9)))]
    keys += ["fbrain:metrics:last_success", "fbrain:metrics:periodic_last_success"]
    keys += [k.decode() for k in client.scan_iter("fbrain:active_users:*")]
    if keys:
        client.delete(*keys)


def app_env(tmp: Path, database_url: str, redis_url: str, web_port: int, worker_port: int) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "WEB_CONCURRENCY": "3",
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "LOG_LEVEL": "warning",
        "LOG_FORMAT": "json",
        "STATIC_ROOT": str(tmp / "static"),
        "DATA_DIR": str(tmp / "data"),
        "CELERY_METRICS_PORT": str(worker_port),
        "CELERY_METRICS_ADDR": "127.0.0.1",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=SERVER, env=env, text=True, capture_output=True, timeout=120
    )
    if result.returncode != 0:
        raise SystemExit(f"FAIL: manage.py {' '.join(args)}:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result.stdout


def prometheus_config(tmp: Path, ports: dict[str, int]) -> Path:
    """The project's prometheus.yml with only the target addresses pointed at 127.0.0.1 ports."""
    config = yaml.safe_load((ROOT / "prometheus" / "prometheus.yml").read_text())
    mapping = {
        "web:8000": ports["web"],
        "worker:9808": ports["worker"],
        "postgres-exporter:9187": ports["postgres"],
        "redis-exporter:9121": ports["redis"],
        "alertmanager:9093": ports["alertmanager"],
        "prometheus:9090": ports["prometheus"],
    }

    def rewrite(targets: list[str]) -> list[str]:
        return [f"127.0.0.1:{mapping[t]}" for t in targets]

    for manager in config["alerting"]["alertmanagers"]:
        for static in manager["static_configs"]:
            static["targets"] = rewrite(static["targets"])
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            static["targets"] = rewrite(static["targets"])
        if job["job_name"] == "node":
            # Production discovers node-exporter by DNS name; here it is a local port.
            del job["dns_sd_configs"]
            job["static_configs"] = [{"targets": [f"127.0.0.1:{ports['node']}"]}]
            job["relabel_configs"] = [{"target_label": "instance", "replacement": "node-exporter"}]
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert jobs == {"web", "celery", "postgres", "redis", "alertmanager", "prometheus", "node"}, jobs

    confdir = tmp / "prometheus"
    (confdir / "rules").mkdir(parents=True)
    for rules in (ROOT / "prometheus" / "rules").glob("*.yml"):
        text = rules.read_text()
        if rules.name == "alerts.yml":
            text = shorten_for(text, "CeleryWorkerDown", WORKER_DOWN_FOR)
        (confdir / "rules" / rules.name).write_text(text)
    path = confdir / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def shorten_for(text: str, alert: str, duration: str) -> str:
    data = yaml.safe_load(text)
    for group in data["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                rule["for"] = duration
                return yaml.safe_dump(data, sort_keys=False)
    raise SystemExit(f"FAIL: alert {alert} not found")


class Prom:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def api(self, path: str, **params: str) -> Any:
        url = f"{self.base}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        status, body = http_get(url, timeout=10)
        data = json.loads(body)
        if status != 200 or data.get("status") != "success":
            raise RuntimeError(f"{data.get('errorType')}: {data.get('error')}")
        return data["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("query", query=expr)["result"]


# ---------------------------------------------------------------- dashboards


def variable_values(dashboard: dict[str, Any]) -> dict[str, str]:
    """What each template variable becomes: its All value (`.*`) or its current value."""
    values = {}
    for var in dashboard.get("templating", {}).get("list", []):
        current = var.get("current", {}).get("value")
        if var.get("includeAll") and current in ("$__all", ["$__all"]):
            values[var["name"]] = var.get("allValue") or ".*"
        else:
            values[var["name"]] = current if isinstance(current, str) else "|".join(current or [])
    values.update({"__rate_interval": RATE_INTERVAL, "__interval": "15s", "__range": "1h"})
    return values


def dashboard_queries() -> list[tuple[str, str, str]]:
    """(dashboard, panel title/refId, expression with variables substituted)."""
    out = []
    for path in sorted((ROOT / "grafana" / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        values = variable_values(dashboard)
        panels = [p for top in dashboard["panels"] for p in (top, *top.get("panels", []))]
        for panel in panels:
            for target in panel.get("targets", []):
                expr = substitute(target["expr"], values)
                out.append((path.name, f"{panel['title']} [{target['refId']}]", expr))
    return out


def substitute(expr: str, values: dict[str, str]) -> str:
    for name in sorted(values, key=len, reverse=True):
        for pattern in (f"${{{name}}}", f"[[{name}]]", f"${name}"):
            expr = expr.replace(pattern, values[name])
    if "$" in expr:
        raise SystemExit(f"FAIL: unsubstituted variable in {expr}")
    return expr


def variable_queries() -> list[tuple[str, str, str]]:
    """(dashboard, variable, label_values query with the other variables substituted)."""
    out = []
    for path in sorted((ROOT / "grafana" / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        values = variable_values(dashboard)
        for var in dashboard.get("templating", {}).get("list", []):
            if var.get("type") == "query":
                query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
                out.append((path.name, var["name"], substitute(query, values)))
    return out


# ---------------------------------------------------------------- traffic


def drive_web_traffic(base: str, seconds: float) -> dict[str, int]:
    """GET a mix of pages (ok, 403, 404, API) for a while; returns requests sent per path."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    paths = ["/", "/healthz", "/readyz", "/api/v1/status", "/api/schema/", "/no-such-page", "/accounts/login/"]
    sent = dict.fromkeys(paths, 0)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in paths:
            try:
                opener.open(base + path, timeout=10).read()
            except urllib.error.HTTPError:
                pass
            sent[path] += 1
    return sent


def check_alertmanager(base: str) -> list[str]:
    """Post alerts to the running Alertmanager: severity routing and inhibition as configured."""
    alerts = [
        {"labels": {"alertname": "CeleryWorkerDown", "severity": "critical", "service": "celery", "instance": "w"}},
        {"labels": {"alertname": "CeleryQueueBacklog", "severity": "warning", "service": "celery", "queue": "capture"}},
        {"labels": {"alertname": "WebHighLatency", "severity": "warning", "service": "web"}},
    ]
    for alert in alerts:
        alert["annotations"] = {"summary": "live test", "runbook_url": "docs/runbooks.md"}
    request = urllib.request.Request(
        f"{base}/api/v2/alerts", data=json.dumps(alerts).encode(), headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=5).read()  # noqa: S310 - localhost only
    expected = {
        "CeleryWorkerDown": ("active", "critical"),
        "CeleryQueueBacklog": ("suppressed", "warning"),
        "WebHighLatency": ("active", "warning"),
    }
    got: dict[str, tuple[str, str]] = {}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        _, body = http_get(f"{base}/api/v2/alerts")
        got = {a["labels"]["alertname"]: (a["status"]["state"], a["receivers"][0]["name"]) for a in json.loads(body)}
        if got == expected:
            return []
        time.sleep(0.5)
    return [f"alertmanager routing/inhibition: expected {expected}, got {got}"]


def login(base: str, username: str, password: str) -> bool:
    """Sign in through the login form (counts the user as active) and load a page as that user."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        page = opener.open(base + "/accounts/login/", timeout=10).read().decode()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            return False
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/"})
        opener.open(request, timeout=10).read()
        opener.open(base + "/", timeout=10).read()
    except urllib.error.URLError:
        return False
    return any(cookie.name == "sessionid" for cookie in jar)


QUEUE_TASKS = """
from fbrain.core.tasks import ping
from config.celery_app import app
for i in range(12):
    ping.apply_async(args=["live-%d" % i], queue={queues!r}[i % 4])
app.send_task("celery.accumulate", args=[1], kwargs={{"index": 9}}, queue="capture")
app.send_task("celery.accumulate", args=[1], kwargs={{"index": 9}}, queue="transfer")
"""


# ---------------------------------------------------------------- main


def main() -> int:
    failures: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="fbrain-obs-"))
    procs = Processes(tmp)
    ports = {name: free_port() for name in ("web", "worker", "postgres", "redis", "node", "alertmanager", "prometheus")}
    redis_url = f"{REDIS_BASE}/{REDIS_DB}"
    log(f"workdir {tmp}; ports {ports}")
    try:
        with scratch_database() as database_url:
            reset_redis(redis_url)
            env = app_env(tmp, database_url, redis_url, ports["web"], ports["worker"])
            (tmp / "data").mkdir()
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            password = secrets.token_urlsafe(16)
            manage(
                env,
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; "
                f"get_user_model().objects.create_user(username='obs', email='obs@example.org', password='{password}')",
            )
            log("database migrated, user created")

            web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prom-web")}
            worker_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prom-worker")}
            procs.start(
                "web",
                [PYTHON, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"],
                env=web_env,
                cwd=SERVER,
            )
            procs.start(
                "worker",
                [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "INFO", "-c", "2",
                 "-Q", ",".join(QUEUES), "-n", f"obs-{ports['worker']}@%h"],
                env=worker_env,
                cwd=SERVER,
            )  # fmt: skip
            procs.start(
                "beat",
                [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "INFO", "-s", str(tmp / "beat-schedule")],
                env=worker_env,
                cwd=SERVER,
            )
            procs.start(
                "postgres-exporter",
                ["prometheus-postgres-exporter", f"--web.listen-address=127.0.0.1:{ports['postgres']}"],
                env={**os.environ, "DATA_SOURCE_NAME": f"{database_url}?sslmode=disable".replace("postgres://", "postgresql://", 1)},
            )  # fmt: skip
            procs.start(
                "redis-exporter",
                ["prometheus-redis-exporter", "-redis.addr", REDIS_BASE,
                 "-web.listen-address", f"127.0.0.1:{ports['redis']}"],
            )  # fmt: skip
            procs.start(
                "node-exporter",
                ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{ports['node']}"],
            )
            am_config = tmp / "alertmanager.yml"
            subprocess.run(
                ["sh", str(ROOT / "prometheus/alertmanager/render-config.sh"),
                 str(ROOT / "prometheus/alertmanager/alertmanager.yml"), str(am_config)],
                check=True, env={"PATH": os.environ["PATH"]},
            )  # fmt: skip
            procs.start(
                "alertmanager",
                ["prometheus-alertmanager", f"--config.file={am_config}", f"--storage.path={tmp / 'am'}",
                 f"--web.listen-address=127.0.0.1:{ports['alertmanager']}", "--cluster.listen-address="],
            )  # fmt: skip
            config = prometheus_config(tmp, ports)
            subprocess.run(["promtool", "check", "config", str(config)], check=True, capture_output=True)
            procs.start(
                "prometheus",
                ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{ports['prometheus']}"],
            )  # fmt: skip
            prom = Prom(ports["prometheus"])
            web = f"http://127.0.0.1:{ports['web']}"
            wait_until("gunicorn", lambda: http_get(web + "/healthz")[0] == 200, 60)
            wait_until("worker exporter", lambda: http_get(f"http://127.0.0.1:{ports['worker']}/metrics")[0] == 200, 60)
            wait_until("prometheus", lambda: http_get(prom.base + "/-/ready")[0] == 200, 60)
            procs.check_alive()
            log("all processes up")

            # ------------------------------------------------ traffic
            manage(env, "shell", "-c", QUEUE_TASKS.format(queues=QUEUES))
            log(f"signed in through the login form: {login(web, 'obs', password)}")
            sent = drive_web_traffic(web, 8)
            log(f"{sum(sent.values())} web requests")

            def targets_up() -> bool:
                active = prom.api("targets", state="active")["activeTargets"]
                down = [f"{t['labels']['job']}: {t['lastError']}" for t in active if t["health"] != "up"]
                return len(active) == 7 and not down

            wait_until("all 7 scrape targets up", targets_up, 60, interval=1)
            log("all scrape targets up")
            for path, count in drive_web_traffic(web, 4).items():
                sent[path] += count
            manage(env, "shell", "-c", QUEUE_TASKS.format(queues=QUEUES))

            # ------------------------------------------------ queries
            checks: list[tuple[str, str]] = [(f"{d} / {p}", e) for d, p, e in dashboard_queries()]
            recording = yaml.safe_load((ROOT / "prometheus/rules/recording.yml").read_text())
            for group in recording["groups"]:
                for rule in group["rules"]:
                    checks.append((f"recording rule {rule['record']} (expr)", rule["expr"]))
                    selector = ",".join(f'{k}="{v}"' for k, v in rule.get("labels", {}).items())
                    checks.append((f"recording rule {rule['record']} (recorded)", f"{rule['record']}{{{selector}}}"))
            # Series the dashboards rely on, which `or vector(0)` could otherwise hide.
            for expr in (
                'fbrain_celery_tasks_total{state="succeeded", task="fbrain.core.tasks.ping"}',
                'fbrain_celery_tasks_total{state="failed", task="celery.accumulate"}',
                'fbrain_celery_tasks_total{state="received"}',
                "fbrain_celery_task_runtime_seconds_bucket",
                *(f'fbrain_celery_task_queue_wait_seconds_count{{queue="{q}"}}' for q in QUEUES),
                *(f'fbrain_celery_queue_length{{queue="{q}"}}' for q in QUEUES),
                "fbrain_migrations_unapplied",
                "fbrain_active_users_daily",
                "fbrain_backup_last_success_timestamp_seconds",
                'django_http_responses_total_by_status_view_method_total{job="web", status="404"}',
                "django_http_requests_latency_seconds_by_view_method_bucket",
            ):
                checks.append((f"series {expr}", expr))
            log(f"evaluating {len(checks)} queries until each returns data (60s budget)")
            pending = dict(checks)
            errors: dict[str, str] = {}
            deadline = time.monotonic() + 60
            while pending and time.monotonic() < deadline:
                for name, expr in list(pending.items()):
                    try:
                        if prom.query(expr):
                            del pending[name]
                            errors.pop(name, None)
                        else:
                            errors[name] = "empty result"
                    except RuntimeError as exc:
                        errors[name] = str(exc)
                if pending:
                    time.sleep(3)
            for name, expr in pending.items():
                failures.append(f"{name}: {errors.get(name)}\n      {expr}")
            log(f"queries: {len(checks) - len(pending)} passed, {len(pending)} failed")

            for dashboard, name, query in variable_queries():
                match = re.fullmatch(r"label_values\((?:(.+),\s*)?(\w+)\)", query)
                if not match:
                    failures.append(f"{dashboard} variable {name}: cannot parse {query}")
                    continue
                params = {"match[]": match.group(1)} if match.group(1) else {}
                if not prom.api(f"label/{match.group(2)}/values", **params):
                    failures.append(f"{dashboard} variable {name}: no values for {query}")
            # All gunicorn workers are aggregated: Prometheus counts every request sent.
            readyz = 'sum(django_http_responses_total_by_status_view_method_total{job="web", view="readyz"})'
            counted: list[float] = []

            def all_requests_counted() -> bool:
                counted[:] = [float(r["value"][1]) for r in prom.query(readyz)]
                return counted == [float(sent["/readyz"])]

            try:
                wait_until("every /readyz request counted", all_requests_counted, 35, interval=2)
                log(f"/readyz: {sent['/readyz']} sent to 3 gunicorn workers, {counted[0]:.0f} counted")
            except SystemExit:
                failures.append(f"/readyz requests: sent {sent['/readyz']}, Prometheus counted {counted}")
            am_failures = check_alertmanager(f"http://127.0.0.1:{ports['alertmanager']}")
            failures.extend(am_failures)
            if not am_failures:
                log("alertmanager: critical/warning routes and CeleryWorkerDown inhibition as configured")
            stat_active = prom.query("max(fbrain_active_users_daily)")
            log(f"active users today: {stat_active[0]['value'][1] if stat_active else 'none'}")

            # Alert rules must evaluate cleanly (empty is fine: nothing is wrong).
            rule_groups = prom.api("rules")["groups"]
            bad = [
                f"{r['name']}: {r.get('lastError')}"
                for g in rule_groups
                for r in g["rules"]
                if r.get("health") == "err"
            ]
            failures.extend(f"rule evaluation error: {b}" for b in bad)
            firing = [a["labels"]["alertname"] for a in prom.api("alerts")["alerts"]]
            log(f"alerts pending/firing while healthy: {firing or 'none'}")

            # ------------------------------------------------ worker down
            procs.stop("worker")
            log("worker stopped; waiting for CeleryWorkerDown to go pending")
            seen: list[str] = []

            def worker_down_pending() -> bool:
                states = [
                    a["state"] for a in prom.api("alerts")["alerts"] if a["labels"]["alertname"] == "CeleryWorkerDown"
                ]
                seen[:] = states
                return "pending" in states

            try:
                wait_until("CeleryWorkerDown pending", worker_down_pending, 75, interval=1)
                log("CeleryWorkerDown is pending")
            except SystemExit as exc:
                failures.append(f"{exc} (states seen: {seen})")
    finally:
        procs.stop_all()
        if failures:
            for name in ("web", "worker", "prometheus"):
                path = tmp / f"{name}.log"
                if path.exists():
                    print(f"--- {name}.log (tail)\n{path.read_text(errors='replace')[-1500:]}")
        shutil.rmtree(tmp, ignore_errors=True)

    for failure in failures:
        print(f"FAIL: {failure}")
    log(f"live observability test: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
