"""Benchmark (c): the bookmark capture pipeline, from POST to `captured`, against a local fixture site.

Method: production settings, gunicorn with 2 workers, one Celery worker with 2 prefork processes
(--worker-concurrency), CAPTURE_ALLOW_HOSTS=127.0.0.1 so the safe fetcher may reach a fixture HTTP server
on 127.0.0.1 (a threaded server answering every /article/N with a distinct ~6 KB HTML article). 16 client
threads POST --bookmarks distinct URLs as fast as the API takes them; each POST's send time is recorded,
and the capture end is the bookmark row's `updated_at` (set by the capture service on success). Captures
per second = bookmarks / (first POST -> last capture) with all of them posted at once (the queue drains at
the pipeline's rate, so that burst's latencies are queueing time); the end-to-end p95 comes from a second
phase where bookmarks arrive at half that rate for --paced-seconds. Nothing leaves 127.0.0.1.
Targets: >= 50 captures/s, end-to-end p95 < 2 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import write_results  # noqa: E402
from stack import running_stack  # noqa: E402

PARAGRAPH = (
    "A second brain keeps what you read next to what you think. This article number {n} talks about "
    "linking notes, spaced review and the quiet value of writing things down before they fade. "
)


class Article(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        n = self.path.rsplit("/", 1)[-1]
        body = (
            f"<!doctype html><html lang='en'><head><title>Fixture article {n}</title>"
            f"<meta name='description' content='Fixture page {n} for the capture benchmark'></head><body>"
            f"<article><h1>Fixture article {n}</h1>"
            + "".join(f"<p>{PARAGRAPH.format(n=n)}</p>" for _ in range(20))
            + "</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookmarks", type=int, default=1000)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--paced-seconds", type=float, default=20)
    args = parser.parse_args()

    site = ThreadingHTTPServer(("127.0.0.1", 0), Article)
    site.daemon_threads = True
    threading.Thread(target=site.serve_forever, daemon=True).start()
    site_url = f"http://127.0.0.1:{site.server_address[1]}"

    with running_stack(
        web_concurrency=2, worker_concurrency=args.worker_concurrency, beat=False,
        database="fbrain_bench_capture", port=18020, fresh=True,
        extra_env={"CAPTURE_ALLOW_HOSTS": "127.0.0.1"},
    ) as stack:
        token = stack.python(
            "from django.contrib.auth import get_user_model\nfrom fbrain.accounts.services import token_create\n"
            "user = get_user_model().objects.create_user(username='capture-bench', password='x')\n"
            "print('TOKEN', token_create(user=user, name='bench')[1])\n"
        ).split("TOKEN", 1)[1].strip()
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

        def post(n: int) -> tuple[int, float]:
            request = urllib.request.Request(
                f"{stack.base_url}/api/v1/bookmarks", method="POST", headers=headers,
                data=json.dumps({"url": f"{site_url}/article/{n}"}).encode(),
            )
            sent = time.time()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                return json.load(response)["id"], sent

        def wait(ids: dict[int, float]) -> dict[int, tuple[str, float]]:
            query = (
                "SELECT note_id, status, extract(epoch FROM updated_at) FROM bookmarks_bookmark "
                f"WHERE status <> 'pending' AND note_id >= {min(ids)}"
            )
            deadline = time.time() + args.timeout
            while True:
                rows = subprocess.run(
                    ["psql", f"postgres://postgres@127.0.0.1:5432/{stack.database}", "-tAF,", "-c", query],
                    check=True, capture_output=True, text=True,
                ).stdout.split()
                done = {int(n): (st, float(at)) for n, st, at in (row.split(",") for row in rows)}
                if all(note in done for note in ids) or time.time() > deadline:
                    return {note: done[note] for note in ids if note in done}
                time.sleep(0.25)

        def summarise(ids: dict[int, float], done: dict[int, tuple[str, float]], started: float) -> dict:
            captured = {note: at for note, (st, at) in done.items() if st == "captured"}
            latencies = [(at - ids[note]) * 1000 for note, at in captured.items()]
            last = max(captured.values()) if captured else time.time()
            return {
                "bookmarks": len(ids),
                "captured": len(captured),
                "failed": sum(1 for st, _ in done.values() if st == "failed"),
                "still_pending": len(ids) - len(done),
                "total_seconds": round(last - started, 2),
                "captures_per_second": round(len(captured) / (last - started), 1),
                "end_to_end_ms": {str(q): round(percentile(latencies, q), 1) for q in (50, 95, 99)}
                if latencies else {},
            }

        # Phase 1, throughput: every bookmark posted at once; the queue drains at the pipeline's rate.
        started = time.time()
        with ThreadPoolExecutor(16) as pool:
            burst = dict(pool.map(post, range(args.bookmarks)))
        post_seconds = time.time() - started
        throughput = summarise(burst, wait(burst), started)
        throughput["posts_per_second"] = round(args.bookmarks / post_seconds, 1)
        # Phase 2, latency: bookmarks arriving at half the measured capture rate (an open model).
        rate = max(1.0, throughput["captures_per_second"] / 2)
        count = min(args.bookmarks, int(rate * args.paced_seconds))
        started = time.time()
        futures = []
        with ThreadPoolExecutor(16) as pool:
            for n in range(count):
                time.sleep(max(0.0, started + n / rate - time.time()))
                futures.append(pool.submit(post, args.bookmarks + n))
        paced = dict(future.result() for future in futures)
        latency = {"arrival_rate_per_second": round(rate, 1), **summarise(paced, wait(paced), started)}
    site.shutdown()

    p95 = latency["end_to_end_ms"].get("95", float("inf"))
    results = {
        "method": __doc__.strip(),
        "worker_processes": args.worker_concurrency,
        "throughput": throughput,
        "half_rate_latency": latency,
        "targets": {
            "captures_per_second_min": 50,
            "p95_ms_max": 2000,
            "met": throughput["captures_per_second"] >= 50 and p95 < 2000
            and throughput["captured"] == args.bookmarks,
        },
    }
    write_results("capture", results)


if __name__ == "__main__":
    main()
