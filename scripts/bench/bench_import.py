"""Benchmark (d): importing a generated Obsidian-style vault of 10 000 notes: wall time and worker peak RSS.

Method: production settings, gunicorn with 2 workers, one Celery worker (2 prefork processes). The vault
(--notes Markdown files in 20 folders, front matter with tags and aliases, inline #tags, 0-3 [[links]] to
other vault notes, multilingual text from seed.py) is zipped in memory and sent to POST /api/v1/imports
(conflict=skip) with a fresh account's token. Wall time runs from the POST to the job's terminal status
(polled every 0.2 s); the job's own started_at/finished_at are reported too. A sampler thread reads
/proc every 0.1 s and keeps the peak resident set size of the worker's whole process tree (main process
+ prefork children) and of its largest process.
Targets: 10 000 notes in <= 60 s, peak RSS <= 400 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import threading
import time
import urllib.request
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import write_results  # noqa: E402
from seed import note_text  # noqa: E402
from stack import running_stack  # noqa: E402


def make_vault(count: int) -> bytes:
    rng = random.Random(4)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(count):
            title, body, tags = note_text(rng, index, count, "Vault")
            body = body.replace("[[Vault ", "[[Vault note ")
            front = f"---\ntags: [{', '.join(tags)}]\naliases: [v{index}]\n---\n" if tags else ""
            archive.writestr(f"vault/Area {index % 20}/Vault note {index}.md", f"{front}# {title}\n\n{body}\n")
    return buffer.getvalue()


def tree_rss(root: int) -> tuple[int, int]:
    """(sum, max) resident bytes over `root` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            fields = text[text.rindex(")") + 2 :].split()
            pid = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * 4096
        except (OSError, ValueError):
            continue
    total, largest, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, largest


def multipart(fields: dict[str, str], filename: str, payload: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/zip\r\n\r\n".encode() + payload + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    vault = make_vault(args.notes)

    with running_stack(
        web_concurrency=2, worker_concurrency=args.worker_concurrency, beat=False,
        database="fbrain_bench_import", port=18030, fresh=True,
    ) as stack:
        token = stack.python(
            "from django.contrib.auth import get_user_model\nfrom fbrain.accounts.services import token_create\n"
            "user = get_user_model().objects.create_user(username='import-bench', password='x')\n"
            "print('TOKEN', token_create(user=user, name='bench')[1])\n"
        ).split("TOKEN", 1)[1].strip()
        worker_pid = stack.processes[1].pid
        idle_rss = tree_rss(worker_pid)
        peak = {"tree": 0, "process": 0}
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                total, largest = tree_rss(worker_pid)
                peak["tree"] = max(peak["tree"], total)
                peak["process"] = max(peak["process"], largest)
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        body, content_type = multipart({"conflict": "skip"}, "vault.zip", vault)
        request = urllib.request.Request(
            f"{stack.base_url}/api/v1/imports", method="POST", data=body,
            headers={"Authorization": f"Token {token}", "Content-Type": content_type},
        )
        started = time.time()
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (loopback)
            job = json.load(response)
        deadline = started + args.timeout
        while job["status"] not in ("succeeded", "failed", "cancelled") and time.time() < deadline:
            time.sleep(0.2)
            poll = urllib.request.Request(
                f"{stack.base_url}/api/v1/jobs/{job['id']}", headers={"Authorization": f"Token {token}"}
            )
            with urllib.request.urlopen(poll, timeout=30) as response:  # noqa: S310 (loopback)
                job = json.load(response)
        wall = time.time() - started
        sampling.set()
        sampler.join()
        notes = int(stack.python(
            "from fbrain.notes.models import Note, Link\n"
            "print(Note.objects.filter(owner__username='import-bench').count())\n"
        ).strip())

    def seconds(start: str | None, end: str | None) -> float | None:
        if not start or not end:
            return None
        return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 2)

    mb = 1024 * 1024
    results = {
        "method": __doc__.strip(),
        "notes": args.notes,
        "vault_zip_bytes": len(vault),
        "worker_processes": args.worker_concurrency,
        "status": job["status"],
        "failure_reason": job.get("failure_reason", ""),
        "counts": job.get("counts", {}),
        "notes_in_database": notes,
        "wall_seconds": round(wall, 2),
        "job_run_seconds": seconds(job.get("started_at"), job.get("finished_at")),
        "notes_per_second": round(notes / wall, 1),
        "worker_rss_mb": {
            "idle_tree": round(idle_rss[0] / mb, 1),
            "peak_tree": round(peak["tree"] / mb, 1),
            "peak_largest_process": round(peak["process"] / mb, 1),
        },
        "targets": {
            "wall_seconds_max": 60,
            "peak_rss_mb_max": 400,
            "met": job["status"] == "succeeded" and wall <= 60 and peak["tree"] / mb <= 400,
        },
    }
    write_results("import", results)


if __name__ == "__main__":
    main()
