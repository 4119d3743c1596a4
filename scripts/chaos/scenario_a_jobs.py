"""Scenario a with the real jobs: SIGKILL the worker while 100 captures and 100 imports are queued/running.

Injected: 100 `POST /api/v1/bookmarks` of pages on a local fixture HTTP server (each answers after
0.1 s) and 100 `POST /api/v1/imports` of small generated vault zips (3 linked notes each), then SIGKILL to
the Celery worker's whole process group mid-way, then a fresh worker.
Measured: bookmarks captured, import jobs succeeded, notes per title (no duplicate effect), time to finish.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile

from harness import HOST, Result, Stack, say, wait_until

CAPTURES = 100
IMPORTS = 100
NOTES_PER_IMPORT = 3


def _vault(n: int, run: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k in range(NOTES_PER_IMPORT):
            nxt = f"chaos {run} {n}-{(k + 1) % NOTES_PER_IMPORT}"
            archive.writestr(f"vault/chaos {run} {n}-{k}.md", f"---\ntags: [chaos]\n---\nSee [[{nxt}]] #imported\n")
    return buffer.getvalue()


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: application/zip\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _upload(stack: Stack, content: bytes) -> int:
    import http.client

    body, content_type = _multipart({"conflict": "skip"}, "file", "vault.zip", content)
    conn = http.client.HTTPConnection(HOST, stack.web_port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/imports",
            body=body,
            headers={"Authorization": f"Token {stack.token}", "Content-Type": content_type, "Connection": "close"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _counts(stack: Stack, run: str) -> dict[str, int]:
    mine = f"url LIKE '%/page-{run}-%'"
    sql = (
        f"SELECT (SELECT count(*) FROM bookmarks_bookmark WHERE status = 'captured' AND {mine}),"
        f" (SELECT count(*) FROM bookmarks_bookmark WHERE status = 'failed' AND {mine}),"
        f" (SELECT count(*) FROM bookmarks_bookmark WHERE {mine}),"
        " (SELECT count(*) FROM transfer_job WHERE kind = 'import' AND status = 'succeeded'),"
        " (SELECT count(*) FROM transfer_job WHERE kind = 'import' AND status IN ('failed', 'cancelled')),"
        f" (SELECT count(*) FROM notes_note WHERE title LIKE 'chaos {run} %'),"
        f" (SELECT count(DISTINCT lower(title)) FROM notes_note WHERE title LIKE 'chaos {run} %')"
    )
    values = [int(v) for v in stack.pg.psql(sql, "fbrain").split("|")]
    keys = ["captured", "capture_failed", "bookmarks", "imports_ok", "imports_failed", "notes", "distinct_titles"]
    return dict(zip(keys, values, strict=True))


def run(stack: Stack) -> Result:
    assert stack.worker is not None
    problems: list[str] = []
    run_id = uuid.uuid4().hex[:6]
    base = _counts(stack, run_id)
    statuses: dict[int, int] = {}
    for i in range(max(CAPTURES, IMPORTS)):
        if i < CAPTURES:
            url = stack.page_url(f"page-{run_id}-{i}")
            status, _, _ = stack.request("POST", "/api/v1/bookmarks", {"url": url}, token=stack.token)
            statuses[status] = statuses.get(status, 0) + 1
        if i < IMPORTS:
            status = _upload(stack, _vault(i, run_id))
            statuses[status] = statuses.get(status, 0) + 1
    say(f"queued {CAPTURES} captures and {IMPORTS} imports (HTTP statuses {statuses})")
    wait_until(lambda: _counts(stack, run_id)["captured"] - base["captured"] >= 10, 60, 0.1)
    at_kill = _counts(stack, run_id)
    queued = {q: stack.redis.cli("LLEN", q) for q in ("capture", "transfer")}
    say(
        f"INJECT: SIGKILL worker process group {stack.worker.pid} (captured {at_kill['captured']}, "
        f"imports done {at_kill['imports_ok']}, queued {queued}, unacked {stack.redis.cli('HLEN', 'unacked')})"
    )
    killed_at = time.monotonic()
    stack.worker.kill()
    time.sleep(2)
    say("INJECT: starting a new worker")
    stack.start_worker()

    def finished() -> bool:
        c = _counts(stack, run_id)
        return (
            c["captured"] + c["capture_failed"] - base["captured"] - base["capture_failed"] >= CAPTURES
            and c["imports_ok"] + c["imports_failed"] - base["imports_ok"] - base["imports_failed"] >= IMPORTS
        )

    done = wait_until(finished, 90, 0.5)
    elapsed = time.monotonic() - killed_at
    final = _counts(stack, run_id)
    captured = final["captured"] - base["captured"]
    imports_ok = final["imports_ok"] - base["imports_ok"]
    expected_notes = IMPORTS * NOTES_PER_IMPORT
    if statuses.get(201, 0) + statuses.get(202, 0) != CAPTURES + IMPORTS:
        problems.append(f"not every request was accepted: {statuses}")
    if not done or captured != CAPTURES:
        problems.append(f"{CAPTURES - captured} captures not captured (failed: {final['capture_failed']})")
    if imports_ok != IMPORTS:
        problems.append(f"{IMPORTS - imports_ok} imports did not succeed (failed: {final['imports_failed']})")
    if final["notes"] != expected_notes or final["distinct_titles"] != expected_notes:
        problems.append(
            f"{final['notes']} imported notes, {final['distinct_titles']} distinct; expected {expected_notes}"
        )
    figures = {
        "captures / imports queued": f"{CAPTURES} / {IMPORTS}",
        "at kill: captured / imports done": f"{at_kill['captured'] - base['captured']} / {at_kill['imports_ok'] - base['imports_ok']}",
        "captured after restart": f"{captured} of {CAPTURES} (failed {final['capture_failed'] - base['capture_failed']})",
        "imports succeeded": f"{imports_ok} of {IMPORTS} (failed {final['imports_failed'] - base['imports_failed']})",
        "imported notes / distinct titles / expected": f"{final['notes']} / {final['distinct_titles']} / {expected_notes}",
        "lost tasks": (CAPTURES - captured) + (IMPORTS - imports_ok),
        "all finished after kill (s)": round(elapsed, 1),
    }
    return Result("a (Celery worker SIGKILL, 100 captures + 100 imports)", not problems, figures, problems)


if __name__ == "__main__":
    from harness import run_standalone

    run_standalone(run)
