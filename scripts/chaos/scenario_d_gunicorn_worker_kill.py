"""Scenario d: SIGKILL one gunicorn worker under API load.

Injected: SIGKILL to one worker process of the private gunicorn master (sync workers, WEB_CONCURRENCY=2).
Measured: failed requests (a sync worker serves one request at a time, so at most 1 may fail), the time
until the master has replaced the worker, and that requests keep succeeding afterwards.
"""

from __future__ import annotations

import os
import signal
import time

from harness import Load, Result, Stack, api_mix, children_of, run_standalone, say, wait_until

THREADS_PER_WORKER = int(os.environ.get("GUNICORN_THREADS", "1"))


def run(stack: Stack) -> Result:
    assert stack.web is not None
    problems: list[str] = []
    master = stack.web.pid
    before = children_of(master)
    with Load(stack, api_mix(stack), threads=4, seconds=20) as load:
        time.sleep(4)
        victim = before[0]
        say(f"INJECT: SIGKILL gunicorn worker pid {victim} (master {master}, workers {before})")
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced = wait_until(
            lambda: len(children_of(master)) == len(before) and victim not in children_of(master), 30, 0.05
        )
        replaced_after = time.monotonic() - killed_at
        after = children_of(master)
        time.sleep(8)
    failures = [s for s in load.samples if s.status == 0 or s.status >= 500]
    late_failures = [s for s in failures if s.at > killed_at + replaced_after + 1]
    allowed = THREADS_PER_WORKER
    if len(failures) > allowed:
        problems.append(f"{len(failures)} failed requests; only the killed worker's in-flight ({allowed}) may fail")
    if not replaced:
        problems.append("the master did not start a replacement worker within 30 s")
    if late_failures:
        problems.append(f"{len(late_failures)} failures after the replacement was up")
    figures = {
        "requests total": len(load.samples),
        "failed requests": f"{len(failures)} (allowed: {allowed}, the victim's in-flight request)",
        "failure details": [f"{s.status} {s.detail[:60]}" for s in failures][:3],
        "workers before / after": f"{before} / {after}",
        "replacement worker up after (s)": round(replaced_after, 2),
        "master pid unchanged": stack.web.alive(),
    }
    return Result("d (gunicorn worker SIGKILL)", not problems, figures, problems)


if __name__ == "__main__":
    run_standalone(run, worker=False)
