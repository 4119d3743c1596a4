"""Benchmark (e): the k6 `load` mix (reads, lists, searches, writes, backlinks, graph, bookmarks) vs the trivial view.

Method: the production-mode stack of bench_api.py (gunicorn, WEB_CONCURRENCY=2, a Celery worker), wrk
saturating /healthz for the trivial view's throughput, then load-tests/performance.js with its mix:
SCENARIO=saturate (--vus constant VUs, closed model) for the mix's saturating throughput, then
SCENARIO=rate (constant-arrival-rate) at half of it for p95 and errors. Each k6 run seeds its own
account of SEED_NOTES notes through the API first (not counted: setup).
Targets (issue 16): saturating throughput >= 0.15 x the trivial view's; at half that rate p95 < 50 ms and
0 errors.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import ROOT, ensure_k6, write_results, wrk  # noqa: E402
from stack import running_stack  # noqa: E402


def _k6(base_url: str, scenario: str, **env: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as summary_dir:
        options = [f"-e{name}={value}" for name, value in {"BASE_URL": base_url, "SCENARIO": scenario,
                                                           "SUMMARY_DIR": summary_dir, **env}.items()]
        subprocess.run([ensure_k6(), "run", "--quiet", "--no-usage-report", *options,
                        str(ROOT / "load-tests" / "performance.js")], capture_output=True, text=True)
        metrics = json.loads((Path(summary_dir) / f"k6-summary-{scenario}.json").read_text())["metrics"]
    # Only the scenario's own requests: setup() seeds through the API too (tagged endpoint:setup).
    duration = metrics["http_req_duration{expected_response:true}"]["values"]
    requests = metrics["http_reqs"]["values"]
    return {"rps": round(requests["rate"], 1), "requests": requests["count"],
            "p50_ms": round(duration["med"], 1), "p95_ms": round(duration["p(95)"], 1),
            "failed_rate": metrics["http_req_failed"]["values"]["rate"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--vus", type=int, default=16)
    parser.add_argument("--port", type=int, default=18020)
    parser.add_argument("--database", default="fbrain_bench_load")
    parser.add_argument("--redis-db", type=int, default=9)
    args = parser.parse_args()
    with running_stack(web_concurrency=2, database=args.database, port=args.port, redis_db=args.redis_db) as stack:
        base = stack.base_url
        wrk(f"{base}/healthz", seconds=10)
        trivial = wrk(f"{base}/healthz", seconds=15)
        duration = f"{args.seconds}s"
        saturated = _k6(base, "saturate", VUS=str(args.vus), DURATION=duration)
        half_rate = max(1, int(saturated["rps"] / 2))
        half = _k6(base, "rate", RATE=str(half_rate), DURATION=duration)
    ratio = round(saturated["rps"] / trivial["rps"], 3)
    write_results("k6-mix", {
        "method": __doc__.strip(),
        "trivial_view": trivial,
        "saturated": {**saturated, "vus": args.vus, "ratio_to_trivial": ratio},
        "half_rate": {**half, "rate": half_rate},
        "targets": {"ratio_min": 0.15, "half_rate_p95_ms_max": 50, "errors": 0,
                    "met": ratio >= 0.15 and half["p95_ms"] < 50 and half["failed_rate"] == 0},
    })


if __name__ == "__main__":
    main()
