"""Benchmark (a): API throughput vs the framework ceiling (a trivial Django JSON view), same gunicorn setup.

Method: production settings, gunicorn with WEB_CONCURRENCY=2 on this 2-core machine, an account of 10 000
notes created through the real services (reads) and a second account of 500 (writes). wrk (2 threads,
16 connections) saturates /healthz (the trivial view, through the whole middleware stack), then
GET /api/v1/notes/?page_size=20, GET /api/v1/notes/{id}/ (ids drawn uniformly from all 10 000, a different
random sequence per wrk thread), the same list and one note revalidated with `If-None-Match` (304),
POST /api/v1/notes/ (unique titles, a link and a tag in the body) and PATCH /api/v1/notes/{id}/ (a new
body, ids drawn from the 500). Each endpoint first runs a --warmup-seconds saturation that is not counted,
then the measured --seconds. Then k6 drives each endpoint at half its saturating rate (open model,
constant-arrival-rate) for the p95. Nothing is cached between requests: every answer is built from the
database (or, for a 304, from its validator).
Targets (issue 16): list >= 0.30, detail >= 0.45, 304 >= 0.60, create >= 0.10, update >= 0.10 of the
trivial view's throughput; half-load p95 < 20 ms for reads and < 50 ms for writes.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import k6_rate, write_results, wrk  # noqa: E402
from seed import SEED_CODE  # noqa: E402
from stack import running_stack  # noqa: E402

# A seed per wrk thread (and per run): the two threads must not replay the same sequence of ids.
THREAD_SEED = (
    "local counter = 0\nsetup = function(thread)\n  counter = counter + 1\n"
    "  thread:set('seed', counter * 7919)\n  thread:set('tid', counter)\nend\n"
    "init = function(args)\n  math.randomseed(seed + os.time())\n  n = 0\nend\n"
)
TARGETS = {"notes_list": 0.30, "note_detail": 0.45, "revalidate_304": 0.60, "note_create": 0.10,
           "note_update": 0.10}
READ_P95_MS, WRITE_P95_MS = 20, 50


def _etag(url: str, token: str) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request) as response:  # noqa: S310 - our own stack on 127.0.0.1
        return response.headers.get("ETag", '"none"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup-seconds", type=int, default=15)
    parser.add_argument("--port", type=int, default=18010)
    parser.add_argument("--database", default="fbrain_bench_api")
    parser.add_argument("--redis-db", type=int, default=9)
    args = parser.parse_args()
    with running_stack(web_concurrency=2, beat=False, database=args.database, port=args.port,
                       redis_db=args.redis_db, fresh=False) as stack:
        scripts = str(Path(__file__).parent)
        out = stack.python(SEED_CODE.format(scripts=scripts, username="bench", seed=1, count=args.notes,
                                            prefix="Bench"))
        token, first_id, last_id, seed_seconds, seeded = out.split("SEEDED", 1)[1].split()
        first, last = int(first_id), int(last_id)
        out = stack.python(SEED_CODE.format(scripts=scripts, username="bench-writer", seed=2, count=500,
                                            prefix="Writable"))
        writer_token, writer_first, writer_last = out.split("SEEDED", 1)[1].split()[:3]
        base = stack.base_url
        detail_lua = THREAD_SEED + (
            f"request = function()\n"
            f"  return wrk.format(nil, '/api/v1/notes/' .. math.random({first}, {last}) .. '/')\nend\n"
        )
        list_url = f"{base}/api/v1/notes/?page_size=20"
        one_url = f"{base}/api/v1/notes/{first}/"
        list_etag, one_etag = _etag(list_url, token), _etag(one_url, token)
        create_lua = THREAD_SEED + (
            'wrk.headers["Content-Type"] = "application/json"\n'
            "request = function()\n  n = n + 1\n"
            "  local body = '{\"title\": \"Written ' .. tid .. '-' .. os.time() .. '-' .. n .. '\", "
            "\"body\": \"Written by the benchmark about [[Writable 1]] #bench/write\"}'\n"
            "  return wrk.format('POST', '/api/v1/notes/', nil, body)\nend\n"
        )
        update_lua = THREAD_SEED + (
            'wrk.headers["Content-Type"] = "application/json"\n'
            "request = function()\n  n = n + 1\n"
            "  local body = '{\"body\": \"Edited ' .. tid .. '-' .. n .. ' about [[Writable 2]] #bench/edit\"}'\n"
            f"  return wrk.format('PATCH', '/api/v1/notes/' .. math.random({writer_first}, {writer_last}) .. '/',"
            " nil, body)\nend\n"
        )

        def saturate(url: str, **options: str) -> dict[str, float]:
            wrk(url, seconds=args.warmup_seconds, **options)
            return wrk(url, seconds=args.seconds, **options)

        trivial = saturate(f"{base}/healthz")
        runs = {
            "notes_list": saturate(list_url, token=token),
            "note_detail": saturate(one_url, token=token, lua=detail_lua),
            "revalidate_304": saturate(list_url, token=token, lua=f"wrk.headers['If-None-Match'] = '{list_etag}'\n"),
            "revalidate_304_detail": saturate(
                one_url, token=token, lua=f"wrk.headers['If-None-Match'] = '{one_etag}'\n"
            ),
            "note_create": saturate(f"{base}/api/v1/notes/", token=writer_token, lua=create_lua),
            "note_update": saturate(f"{base}/api/v1/notes/", token=writer_token, lua=update_lua),
        }
        ids = [f"{i}/" for i in range(first, last + 1, max(1, (last - first) // 500))]
        writer_ids = [f"{i}/" for i in range(int(writer_first), int(writer_last) + 1)]
        json_type = {"Content-Type": "application/json"}
        half = {
            "notes_list": k6_rate(list_url, rate=runs["notes_list"]["rps"] / 2, token=token, seconds=args.seconds),
            "note_detail": k6_rate(f"{base}/api/v1/notes/", rate=runs["note_detail"]["rps"] / 2, token=token,
                                   seconds=args.seconds, paths=ids),
            "revalidate_304": k6_rate(list_url, rate=runs["revalidate_304"]["rps"] / 2, token=token,
                                      seconds=args.seconds, headers={"If-None-Match": list_etag}),
            "note_create": k6_rate(
                f"{base}/api/v1/notes/", rate=runs["note_create"]["rps"] / 2, token=writer_token,
                seconds=args.seconds, method="POST", headers=json_type,
                body_js="JSON.stringify({title: `Half ${Date.now()} ${__VU} ${__ITER}`, "
                        "body: 'Written at half load about [[Writable 1]] #bench/write'})",
            ),
            "note_update": k6_rate(
                f"{base}/api/v1/notes/", rate=runs["note_update"]["rps"] / 2, token=writer_token,
                seconds=args.seconds, method="PATCH", headers=json_type, paths=writer_ids,
                body_js="JSON.stringify({body: `Edited at half load ${__VU} ${__ITER} #bench/edit`})",
            ),
        }
        # The writes' notes go again: a rerun finds the same 500 (and no ever-growing account).
        stack.python(
            "from fbrain.notes.models import Note\n"
            "Note.objects.filter(owner__username='bench-writer').exclude(title__startswith='Writable').delete()\n"
        )
    results: dict[str, object] = {
        "method": __doc__.strip(),
        "notes": args.notes,
        "seeded_now": int(seeded),
        "seed_seconds": float(seed_seconds),
        "trivial_view": trivial,
    }
    met = True
    for name, run in runs.items():
        ratio = round(run["rps"] / trivial["rps"], 3)
        entry: dict[str, object] = {**run, "ratio_to_trivial": ratio}
        if name in half:
            entry["half_load"] = half[name]
            limit = WRITE_P95_MS if name.startswith("note_c") or name.startswith("note_u") else READ_P95_MS
            met = met and half[name]["p95_ms"] < limit and half[name]["failed_rate"] == 0
        if name in TARGETS:
            met = met and ratio >= TARGETS[name]
        results[name] = entry
    results["targets"] = {"ratio_min": TARGETS, "half_load_p95_ms_max": {"reads": READ_P95_MS,
                                                                         "writes": WRITE_P95_MS}, "met": met}
    print(json.dumps({name: results[name]["ratio_to_trivial"] for name in runs}), file=sys.stderr)  # type: ignore[index]
    write_results("api", results)


if __name__ == "__main__":
    main()
