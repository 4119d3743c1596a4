"""Benchmark (a): API throughput vs the framework ceiling (a trivial Django JSON view), same gunicorn setup.

Method: production settings, gunicorn with WEB_CONCURRENCY=2 on this 2-core machine, an account of 10 000
notes created through the real services. wrk (2 threads, 16 connections) saturates /healthz (the trivial
view, through the whole middleware stack), GET /api/v1/notes/?page_size=20 and GET /api/v1/notes/{id}/
(ids drawn uniformly from all 10 000, a different random sequence per wrk thread). Each endpoint first
runs a --warmup-seconds saturation that is not counted (the steady state: at the saturating rate the
reads cover the account many times within the API cache lifetime), then the measured --seconds. The
detail endpoint's cold first window (empty cache) is measured and reported too. Then k6 drives each API
endpoint at half its saturating rate (open model) for the p95.
Targets: API throughput >= 0.5 x the trivial view's (steady state); p95 < 50 ms at half load.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import k6_rate, write_results, wrk  # noqa: E402
from seed import SEED_CODE  # noqa: E402
from stack import running_stack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup-seconds", type=int, default=15)
    args = parser.parse_args()
    with running_stack(web_concurrency=2, beat=False, database="fbrain_bench_api", port=18010, fresh=False) as stack:
        out = stack.python(SEED_CODE.format(scripts=str(Path(__file__).parent), username="bench", seed=1,
                                            count=args.notes, prefix="Bench"))
        token, first_id, last_id, seed_seconds, seeded = out.split("SEEDED", 1)[1].split()
        first, last = int(first_id), int(last_id)
        base = stack.base_url
        # A seed per wrk thread (and per run): the two threads must not replay the same sequence of ids.
        detail_lua = (
            "local counter = 0\nsetup = function(thread)\n  counter = counter + 1\n"
            "  thread:set('seed', counter * 7919)\nend\n"
            "init = function(args)\n  math.randomseed(seed + os.time())\nend\n"
            f"request = function()\n"
            f"  return wrk.format(nil, '/api/v1/notes/' .. math.random({first}, {last}) .. '/')\nend\n"
        )
        stack.flush_cache()
        detail_cold = wrk(f"{base}/api/v1/notes/{first}/", token=token, seconds=args.seconds, lua=detail_lua)

        def saturate(url: str, **options: str) -> dict[str, float]:
            wrk(url, seconds=args.warmup_seconds, **options)
            return wrk(url, seconds=args.seconds, **options)

        trivial = saturate(f"{base}/healthz")
        listing = saturate(f"{base}/api/v1/notes/?page_size=20", token=token)
        detail = saturate(f"{base}/api/v1/notes/{first}/", token=token, lua=detail_lua)
        ids = [f"{i}/" for i in range(first, last + 1, max(1, (last - first) // 500))]
        list_half = k6_rate(f"{base}/api/v1/notes/?page_size=20", rate=listing["rps"] / 2, token=token,
                            seconds=args.seconds)
        detail_half = k6_rate(f"{base}/api/v1/notes/", rate=detail["rps"] / 2, token=token, seconds=args.seconds,
                              paths=ids)
    results = {
        "method": __doc__.strip(),
        "notes": args.notes,
        "seeded_now": int(seeded),
        "seed_seconds": float(seed_seconds),
        "trivial_view": trivial,
        "notes_list": {**listing, "ratio_to_trivial": round(listing["rps"] / trivial["rps"], 3),
                       "half_load": list_half},
        "note_detail": {**detail, "ratio_to_trivial": round(detail["rps"] / trivial["rps"], 3),
                        "half_load": detail_half,
                        "cold_first_window": {**detail_cold,
                                              "ratio_to_trivial": round(detail_cold["rps"] / trivial["rps"], 3)}},
        "targets": {
            "throughput_ratio_min": 0.5,
            "half_load_p95_ms_max": 50,
            "met": listing["rps"] / trivial["rps"] >= 0.5 and detail["rps"] / trivial["rps"] >= 0.5
            and list_half["p95_ms"] < 50 and detail_half["p95_ms"] < 50,
        },
    }
    write_results("api", results)


if __name__ == "__main__":
    main()
