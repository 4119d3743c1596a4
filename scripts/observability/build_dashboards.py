#!/usr/bin/env python3
"""Generate the provisioned Grafana dashboards in grafana/dashboards/ from compact definitions.

Run `python3 scripts/observability/build_dashboards.py` after editing; `--check`
exits non-zero when the committed JSON differs from what this script produces
(CI runs it that way). Standard library only.

Conventions kept by every panel (the live panel-query test relies on them):
- the datasource is the provisioned Prometheus (fixed uid `fbrain-prometheus`);
- a query over a metric that is legitimately absent while all is well ends in
  `or vector(0)`, so "no data" always means something is broken;
- multi-value variables use `.*` as their All value.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "grafana" / "dashboards"
DS = {"type": "prometheus", "uid": "fbrain-prometheus"}
RUNBOOKS_DEFAULT = "docs/runbooks.md"
R = "django_http_responses_total_by_status_view_method_total"
H = "django_http_requests_latency_seconds_by_view_method_bucket"
RI = "$__rate_interval"


def runbook(anchor: str, title: str) -> dict:
    # Grafana's schema types panel links as DashboardLink, hence the extra keys.
    return {
        "title": f"Runbook: {title}",
        "type": "link",
        "url": "${runbooks}#" + anchor,
        "targetBlank": True,
        "icon": "doc",
        "tooltip": "",
        "tags": [],
        "asDropdown": False,
        "includeVars": False,
        "keepTime": False,
    }


class Board:
    """Accumulates panels on a 24-column grid."""

    def __init__(self, uid: str, title: str, description: str, variables: list[dict]) -> None:
        self.uid = uid
        self.title = title
        self.description = description
        self.variables = variables
        self.panels: list[dict] = []
        self.x = 0
        self.y = 0
        self.row_h = 0

    def _place(self, w: int, h: int) -> dict:
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_h
            self.row_h = 0
        pos = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def row(self, title: str) -> None:
        if self.x:
            self.y += self.row_h
        self.x, self.row_h = 0, 0
        self.panels.append(
            {
                "id": len(self.panels) + 1,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
                "panels": [],
            }
        )
        self.y += 1

    def panel(
        self,
        kind: str,
        title: str,
        targets: list[tuple[str, str]],
        *,
        unit: str = "short",
        description: str = "",
        w: int = 12,
        h: int = 8,
        links: list[dict] | None = None,
        thresholds: list[tuple[float | None, str]] | None = None,
        decimals: int | None = None,
    ) -> None:
        steps = [{"color": color, "value": value} for value, color in (thresholds or [(None, "green")])]
        defaults: dict = {
            "unit": unit,
            "color": {"mode": "thresholds" if kind == "stat" else "palette-classic"},
            "thresholds": {"mode": "absolute", "steps": steps},
        }
        if decimals is not None:
            defaults["decimals"] = decimals
        if kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "spanNulls": False}
            options: dict = {
                "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                "tooltip": {"mode": "multi", "sort": "desc"},
            }
        else:
            options = {
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "colorMode": "value",
                "graphMode": "area",
                "justifyMode": "auto",
                "orientation": "auto",
                "textMode": "auto",
            }
        self.panels.append(
            {
                "id": len(self.panels) + 1,
                "type": kind,
                "title": title,
                "description": description,
                "datasource": DS,
                "gridPos": self._place(w, h),
                "links": links or [],
                "fieldConfig": {"defaults": defaults, "overrides": []},
                "options": options,
                "targets": [
                    {
                        "refId": chr(ord("A") + i),
                        "datasource": DS,
                        "expr": expr,
                        "legendFormat": legend,
                        "range": True,
                        "instant": False,
                    }
                    for i, (expr, legend) in enumerate(targets)
                ],
            }
        )

    def stat(self, title: str, expr: str, **kw) -> None:
        kw.setdefault("w", 4)
        kw.setdefault("h", 4)
        self.panel("stat", title, [(expr, "")], **kw)

    def ts(self, title: str, targets: list[tuple[str, str]], **kw) -> None:
        self.panel("timeseries", title, targets, **kw)

    def render(self) -> dict:
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": ["fbrain"],
            "editable": False,
            "graphTooltip": 1,
            "timezone": "browser",
            "refresh": "30s",
            "schemaVersion": 39,
            "version": 1,
            "time": {"from": "now-6h", "to": "now"},
            "timepicker": {},
            "fiscalYearStartMonth": 0,
            "liveNow": False,
            "weekStart": "",
            "annotations": {
                "list": [
                    {
                        "builtIn": 1,
                        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                        "enable": True,
                        "hide": True,
                        "iconColor": "rgba(0, 211, 255, 1)",
                        "name": "Annotations & Alerts",
                        "type": "dashboard",
                    }
                ]
            },
            "links": [
                {
                    "title": "F_BRAIN dashboards",
                    "type": "dashboards",
                    "tags": ["fbrain"],
                    "asDropdown": True,
                    "includeVars": False,
                    "keepTime": True,
                    "targetBlank": False,
                    "icon": "external link",
                    "tooltip": "",
                    "url": "",
                },
                {
                    "title": "Runbooks",
                    "type": "link",
                    "url": "${runbooks}",
                    "tags": [],
                    "asDropdown": False,
                    "includeVars": False,
                    "keepTime": False,
                    "targetBlank": True,
                    "icon": "doc",
                    "tooltip": "What to check and do for each alert",
                },
            ],
            "templating": {"list": [*self.variables, runbooks_variable()]},
            "panels": self.panels,
        }


def runbooks_variable() -> dict:
    return {
        "type": "constant",
        "name": "runbooks",
        "label": "Runbooks URL",
        "description": "Where docs/runbooks.md is rendered; change it to your repository's URL.",
        "hide": 2,
        "query": RUNBOOKS_DEFAULT,
        "current": {"text": RUNBOOKS_DEFAULT, "value": RUNBOOKS_DEFAULT},
        "options": [{"text": RUNBOOKS_DEFAULT, "value": RUNBOOKS_DEFAULT, "selected": True}],
        "skipUrlSync": True,
    }


def query_var(name: str, label: str, query: str, *, multi: bool = True) -> dict:
    return {
        "type": "query",
        "name": name,
        "label": label,
        "datasource": DS,
        "query": {"query": query, "refId": f"{name}-variable"},
        "refresh": 2,
        "sort": 1,
        "multi": multi,
        "includeAll": True,
        "allValue": ".*",
        "current": {"text": "All", "value": "$__all"},
        "options": [],
        "hide": 0,
        "regex": "",
        "skipUrlSync": False,
    }


def custom_var(name: str, label: str, values: list[str]) -> dict:
    return {
        "type": "custom",
        "name": name,
        "label": label,
        "query": ",".join(values),
        "multi": True,
        "includeAll": True,
        "allValue": ".*",
        "current": {"text": "All", "value": "$__all"},
        "options": [{"text": v, "value": v, "selected": False} for v in values],
        "hide": 0,
        "skipUrlSync": False,
    }


def overview() -> dict:
    sel = 'job=~"$job"'
    vsel = 'job=~"$job", view=~"$view"'
    b = Board(
        "fbrain-overview",
        "F_BRAIN / Service overview",
        "Traffic, errors, latency by view, status codes and saturation of the Django web service.",
        [
            query_var("job", "Job", f"label_values({R}, job)"),
            query_var("view", "View", f"label_values({R}{{{sel}}}, view)"),
        ],
    )
    b.row("Golden signals")
    b.stat("Request rate", f"sum(rate({R}{{{sel}}}[{RI}])) or vector(0)", unit="reqps")
    b.stat(
        "5xx ratio",
        f'(sum(rate({R}{{{sel}, status=~"5.."}}[{RI}])) or vector(0))'
        f" / (sum(rate({R}{{{sel}}}[{RI}])) > 0) or vector(0)",
        unit="percentunit",
        thresholds=[(None, "green"), (0.02, "red")],
        links=[runbook("webhigherrorratio", "high error ratio")],
    )
    b.stat(
        "p95 latency",
        f"histogram_quantile(0.95, sum by (le) (rate({H}{{{sel}}}[{RI}]))) or vector(0)",
        unit="s",
        thresholds=[(None, "green"), (0.5, "red")],
        links=[runbook("webhighlatency", "high latency")],
    )
    b.stat(
        "Web targets up",
        'sum(up{job="web"}) or vector(0)',
        thresholds=[(None, "red"), (1, "green")],
        links=[runbook("webdown", "web down")],
    )
    b.stat(
        "Unapplied migrations",
        "max(fbrain_migrations_unapplied) or vector(0)",
        thresholds=[(None, "green"), (1, "red")],
        links=[runbook("unappliedmigrations", "unapplied migrations")],
    )
    b.stat(
        "Exceptions / s",
        f"sum(rate(django_http_exceptions_total_by_type_total{{{sel}}}[{RI}])) or vector(0)",
        unit="reqps",
        thresholds=[(None, "green"), (0.01, "orange")],
    )
    b.row("Traffic and errors")
    b.ts("Requests by view", [(f"sum by (view) (rate({R}{{{vsel}}}[{RI}]))", "{{view}}")], unit="reqps")
    b.ts("Responses by status code", [(f"sum by (status) (rate({R}{{{vsel}}}[{RI}]))", "{{status}}")], unit="reqps")
    b.ts(
        "5xx ratio by view",
        [
            (
                f'(sum by (view) (rate({R}{{{vsel}, status=~"5.."}}[{RI}]))'
                f" or sum by (view) (rate({R}{{{vsel}}}[{RI}])) * 0)"
                f" / sum by (view) (rate({R}{{{vsel}}}[{RI}]))",
                "{{view}}",
            )
        ],
        unit="percentunit",
        links=[runbook("webhigherrorratio", "high error ratio")],
    )
    b.ts(
        "Exceptions by type",
        [(f"sum by (type) (rate(django_http_exceptions_total_by_type_total{{{sel}}}[{RI}])) or vector(0)", "{{type}}")],
        unit="reqps",
    )
    b.row("Latency")
    b.ts(
        "p95 latency by view",
        [(f"histogram_quantile(0.95, sum by (view, le) (rate({H}{{{vsel}}}[{RI}])))", "{{view}}")],
        unit="s",
        links=[runbook("webhighlatency", "high latency")],
    )
    b.ts(
        "Latency quantiles (recorded, 5m)",
        [(f"job:django_http_requests_latency_seconds:quantile_rate5m{{{sel}}}", "p{{quantile}} {{job}}")],
        unit="s",
    )
    b.row("Saturation")
    b.ts(
        "PostgreSQL connections used",
        [("sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)", "of max_connections")],
        unit="percentunit",
        w=8,
        links=[runbook("postgrestoomanyconnections", "too many connections")],
    )
    b.ts(
        "Database queries / s",
        [(f"sum by (vendor) (rate(django_db_execute_total{{{sel}}}[{RI}])) or vector(0)", "{{vendor}}")],
        unit="ops",
        w=8,
    )
    b.ts(
        "Tasks waiting in Celery queues",
        [("sum(max by (queue) (fbrain_celery_queue_length)) or vector(0)", "queued")],
        w=8,
        links=[runbook("celeryqueuebacklog", "queue backlog")],
    )
    b.ts(
        "Host CPU busy (production)",
        [(f'1 - avg(rate(node_cpu_seconds_total{{mode="idle"}}[{RI}])) or vector(0)', "cpu")],
        unit="percentunit",
        w=8,
    )
    b.ts(
        "Host memory used (production)",
        [("1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes) or vector(0)", "memory")],
        unit="percentunit",
        w=8,
    )
    b.ts(
        "Redis memory used",
        [("sum(redis_memory_used_bytes)", "used")],
        unit="bytes",
        w=8,
        links=[runbook("redismemoryhigh", "Redis memory")],
    )
    return b.render()


def celery() -> dict:
    q = 'queue=~"$queue"'
    tq = 'task=~"$task", queue=~"$queue"'
    b = Board(
        "fbrain-celery",
        "F_BRAIN / Celery",
        "Background work: throughput, failures, runtime, queue length and queue wait.",
        [
            custom_var("queue", "Queue", ["celery", "capture", "transfer", "maintenance"]),
            query_var("task", "Task", "label_values(fbrain_celery_tasks_total, task)"),
        ],
    )
    b.row("Now")
    b.stat(
        "Workers up",
        'sum(up{job="celery"}) or vector(0)',
        thresholds=[(None, "red"), (1, "green")],
        links=[runbook("celeryworkerdown", "worker down")],
    )
    b.stat("Tasks running", "sum(fbrain_celery_tasks_active) or vector(0)")
    b.stat(
        "Tasks queued",
        f"sum(max by (queue) (fbrain_celery_queue_length{{{q}}})) or vector(0)",
        thresholds=[(None, "green"), (100, "orange")],
        links=[runbook("celeryqueuebacklog", "queue backlog")],
    )
    b.stat(
        "Failure ratio (15m)",
        f'(sum(rate(fbrain_celery_tasks_total{{{tq}, state="failed"}}[15m])) or vector(0))'
        f' / (sum(rate(fbrain_celery_tasks_total{{{tq}, state=~"succeeded|failed"}}[15m])) > 0) or vector(0)',
        unit="percentunit",
        thresholds=[(None, "green"), (0.05, "red")],
        links=[runbook("celerytaskfailureratio", "task failures")],
    )
    b.stat(
        "Tasks finished / s",
        f'sum(rate(fbrain_celery_tasks_total{{{tq}, state=~"succeeded|failed"}}[{RI}])) or vector(0)',
        unit="ops",
    )
    b.stat(
        "Oldest periodic success",
        "max(time() - fbrain_periodic_task_last_success_timestamp_seconds) or vector(0)",
        unit="s",
        links=[runbook("periodictaskstale", "periodic task stale")],
    )
    b.row("Throughput and failures")
    b.ts(
        "Tasks by state",
        [(f"sum by (state) (rate(fbrain_celery_tasks_total{{{tq}}}[{RI}])) or vector(0)", "{{state}}")],
        unit="ops",
    )
    b.ts(
        "Succeeded by task",
        [
            (
                f'sum by (task) (rate(fbrain_celery_tasks_total{{{tq}, state="succeeded"}}[{RI}])) or vector(0)',
                "{{task}}",
            )
        ],
        unit="ops",
    )
    b.ts(
        "Failed and retried by task",
        [
            (
                f'sum by (task, state) (rate(fbrain_celery_tasks_total{{{tq}, state=~"failed|retried"}}[{RI}]))'
                " or vector(0)",
                "{{task}} {{state}}",
            )
        ],
        unit="ops",
        links=[runbook("celerytaskfailureratio", "task failures")],
    )
    b.ts(
        "Runtime p95 by task",
        [
            (
                "histogram_quantile(0.95, sum by (task, le) "
                f"(rate(fbrain_celery_task_runtime_seconds_bucket{{{tq}}}[{RI}]))) or vector(0)",
                "{{task}}",
            )
        ],
        unit="s",
    )
    b.row("Queues")
    b.ts(
        "Queue length",
        [(f"max by (queue) (fbrain_celery_queue_length{{{q}}})", "{{queue}}")],
        links=[runbook("celeryqueuebacklog", "queue backlog")],
    )
    b.ts(
        "Queue wait p95 (publish to start)",
        [
            (
                "histogram_quantile(0.95, sum by (queue, le) "
                f"(rate(fbrain_celery_task_queue_wait_seconds_bucket{{{q}}}[{RI}]))) or vector(0)",
                "{{queue}}",
            )
        ],
        unit="s",
        links=[runbook("celeryqueuewaithigh", "queue wait")],
    )
    b.ts(
        "Running tasks by queue",
        [(f"sum by (queue) (fbrain_celery_tasks_active{{{q}}}) or vector(0)", "{{queue}}")],
    )
    b.ts(
        "Seconds since last success of periodic tasks",
        [
            ("time() - max by (task) (fbrain_periodic_task_last_success_timestamp_seconds) or vector(0)", "{{task}}"),
            ("2 * max by (task) (fbrain_periodic_task_period_seconds) or vector(0)", "{{task}} limit"),
        ],
        unit="s",
        links=[runbook("periodictaskstale", "periodic task stale")],
    )
    return b.render()


def datastores() -> dict:
    b = Board(
        "fbrain-datastores",
        "F_BRAIN / Data stores",
        "PostgreSQL and Redis health, load and capacity; backups; host disks.",
        [],
    )
    b.row("PostgreSQL")
    b.stat(
        "PostgreSQL up",
        "min(pg_up) or vector(0)",
        thresholds=[(None, "red"), (1, "green")],
        links=[runbook("postgresdown", "Postgres down")],
    )
    b.stat(
        "Connections used",
        "sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)",
        unit="percentunit",
        thresholds=[(None, "green"), (0.8, "red")],
        links=[runbook("postgrestoomanyconnections", "too many connections")],
    )
    b.stat("Database size", "sum(pg_database_size_bytes)", unit="bytes")
    b.stat(
        "Deadlocks / s",
        f"sum(rate(pg_stat_database_deadlocks[{RI}])) or vector(0)",
        unit="ops",
        thresholds=[(None, "green"), (0.001, "orange")],
    )
    b.stat(
        "Last backup age",
        "time() - max(fbrain_backup_last_success_timestamp_seconds > 0) or vector(0)",
        unit="s",
        thresholds=[(None, "green"), (172800, "red")],
        links=[runbook("backupstale", "backup stale")],
    )
    b.stat(
        "Disk used (production)",
        'max(1 - node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.*"}'
        ' / node_filesystem_size_bytes{fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.*"}) or vector(0)',
        unit="percentunit",
        thresholds=[(None, "green"), (0.9, "red")],
        links=[runbook("diskspacelow", "disk space low")],
    )
    b.ts("Connections by state", [("sum by (state) (pg_stat_activity_count)", "{{state}}")])
    b.ts(
        "Transactions / s",
        [
            (f"sum(rate(pg_stat_database_xact_commit[{RI}]))", "commit"),
            (f"sum(rate(pg_stat_database_xact_rollback[{RI}]))", "rollback"),
        ],
        unit="ops",
    )
    b.ts(
        "Buffer cache hit ratio",
        [
            (
                f"sum(rate(pg_stat_database_blks_hit[{RI}]))"
                f" / (sum(rate(pg_stat_database_blks_hit[{RI}])) + sum(rate(pg_stat_database_blks_read[{RI}])) > 0)"
                " or vector(1)",
                "hit ratio",
            )
        ],
        unit="percentunit",
    )
    b.ts("Locks by mode", [("sum by (mode) (pg_locks_count)", "{{mode}}")])
    b.row("Redis")
    b.stat(
        "Redis up",
        "min(redis_up) or vector(0)",
        thresholds=[(None, "red"), (1, "green")],
        links=[runbook("redisdown", "Redis down")],
    )
    b.stat(
        "Memory of maxmemory",
        "max(redis_memory_used_bytes / (redis_memory_max_bytes > 0)) or vector(0)",
        unit="percentunit",
        description="0 when maxmemory is not set.",
        thresholds=[(None, "green"), (0.9, "red")],
        links=[runbook("redismemoryhigh", "Redis memory")],
    )
    b.stat("Clients", "sum(redis_connected_clients)")
    b.stat(
        "Evictions / s",
        f"sum(rate(redis_evicted_keys_total[{RI}])) or vector(0)",
        unit="ops",
        thresholds=[(None, "green"), (0.1, "orange")],
    )
    b.ts(
        "Memory used", [("sum(redis_memory_used_bytes)", "used"), ("sum(redis_memory_max_bytes)", "max")], unit="bytes"
    )
    b.ts("Commands / s", [(f"sum(rate(redis_commands_processed_total[{RI}]))", "commands")], unit="ops")
    b.ts(
        "Keyspace hit ratio",
        [
            (
                f"sum(rate(redis_keyspace_hits_total[{RI}]))"
                f" / (sum(rate(redis_keyspace_hits_total[{RI}])) + sum(rate(redis_keyspace_misses_total[{RI}])) > 0)"
                " or vector(1)",
                "hit ratio",
            )
        ],
        unit="percentunit",
    )
    b.ts("Keys by database", [("sum by (db) (redis_db_keys)", "{{db}}")])
    return b.render()


def business() -> dict:
    b = Board(
        "fbrain-business",
        "F_BRAIN / Business",
        "What users do: notes, searches, bookmark captures, imports/exports, API tokens, active users.",
        [],
    )
    b.row("Today")
    b.stat("Active users today", "max(fbrain_active_users_daily) or vector(0)")
    b.stat("Notes created (range)", "sum(increase(fbrain_notes_created_total[$__range])) or vector(0)", decimals=0)
    b.stat("Searches (range)", "sum(increase(fbrain_searches_total[$__range])) or vector(0)", decimals=0)
    b.stat(
        "Empty-search ratio",
        f'(sum(rate(fbrain_searches_total{{result="empty"}}[{RI}])) or vector(0))'
        f" / (sum(rate(fbrain_searches_total[{RI}])) > 0) or vector(0)",
        unit="percentunit",
    )
    b.stat(
        "Captures failed (range)",
        'sum(increase(fbrain_captures_total{outcome="failed"}[$__range])) or vector(0)',
        decimals=0,
        links=[runbook("capturefailurespike", "capture failures")],
    )
    b.stat("API token uses / s", f"sum(rate(fbrain_api_tokens_used_total[{RI}])) or vector(0)", unit="reqps")
    b.row("Notes and search")
    b.ts(
        "Notes written / s",
        [
            (f"sum(rate(fbrain_notes_created_total[{RI}])) or vector(0)", "created"),
            (f"sum(rate(fbrain_notes_updated_total[{RI}])) or vector(0)", "updated"),
            (f"sum(rate(fbrain_notes_deleted_total[{RI}])) or vector(0)", "deleted"),
        ],
        unit="ops",
    )
    b.ts(
        "Searches / s by result",
        [(f"sum by (result) (rate(fbrain_searches_total[{RI}])) or vector(0)", "{{result}}")],
        unit="ops",
    )
    b.ts(
        "Search latency",
        [
            (
                f"histogram_quantile(0.5, sum by (le) (rate(fbrain_search_duration_seconds_bucket[{RI}]))) or vector(0)",
                "p50",
            ),
            (
                f"histogram_quantile(0.95, sum by (le) (rate(fbrain_search_duration_seconds_bucket[{RI}]))) or vector(0)",
                "p95",
            ),
        ],
        unit="s",
    )
    b.ts("Active users per day", [("max(fbrain_active_users_daily) or vector(0)", "users")])
    b.row("Captures, imports and exports")
    b.ts(
        "Captures / s by outcome",
        [(f"sum by (outcome) (rate(fbrain_captures_total[{RI}])) or vector(0)", "{{outcome}}")],
        unit="ops",
        links=[runbook("capturefailurespike", "capture failures")],
    )
    b.ts(
        "Failed captures / s by reason",
        [(f'sum by (reason) (rate(fbrain_captures_total{{outcome!="succeeded"}}[{RI}])) or vector(0)', "{{reason}}")],
        unit="ops",
    )
    b.ts(
        "Capture duration p95",
        [
            (
                "histogram_quantile(0.95, sum by (le) "
                f"(rate(fbrain_capture_duration_seconds_bucket[{RI}]))) or vector(0)",
                "p95",
            )
        ],
        unit="s",
    )
    b.ts(
        "Imports and exports / s",
        [(f"sum by (kind, outcome) (rate(fbrain_jobs_total[{RI}])) or vector(0)", "{{kind}} {{outcome}}")],
        unit="ops",
    )
    return b.render()


DASHBOARDS = {
    "service-overview.json": overview,
    "celery.json": celery,
    "datastores.json": datastores,
    "business.json": business,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed JSON is out of date")
    args = parser.parse_args()
    stale = []
    for name, build in DASHBOARDS.items():
        text = json.dumps(build(), indent=2, sort_keys=False) + "\n"
        path = OUT_DIR / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"dashboards out of date (run scripts/observability/build_dashboards.py): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
