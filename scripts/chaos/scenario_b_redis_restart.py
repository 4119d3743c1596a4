"""Scenario b: restart Redis (append-only file on) under API load, with tasks queued and beat running.

Injected: `SHUTDOWN` of the private redis-server (it flushes its AOF) and a start on the same port.
Measured: failed requests during the blip (< 1 % allowed, no 500 ever), the tasks queued before the restart
still in their queue and all executed afterwards, and beat ticks executed after the restart.
"""

from __future__ import annotations

import time

from celery import Celery
from harness import Load, Result, Stack, api_mix, run_standalone, say, wait_until

QUEUED_TASKS = 100
DOWN_SECONDS = 2.0  # a container restart, not an instant respawn
HOLD_QUEUE = "chaos_hold"


def ticks(stack: Stack) -> tuple[int, float]:
    count, newest = stack.pg.psql(
        "SELECT count(*), coalesce(extract(epoch FROM max(at)), 0) FROM chaos_tick", "fbrain"
    ).split("|")
    return int(count), float(newest)


def run(stack: Stack) -> Result:
    problems: list[str] = []
    if stack.beat is None:
        stack.start_beat()
    if not wait_until(lambda: ticks(stack)[0] >= 2, 30, 0.5):
        problems.append("beat ticks never ran before the restart")
    client = Celery("chaos-client", broker=stack.redis.url(0))
    client.conf.task_serializer = "json"
    done_before, _ = stack.effects()
    keys = [f"b-{i}-{time.time_ns()}" for i in range(QUEUED_TASKS)]
    for key in keys:
        client.send_task("chaos.record", args=[key, 0.01], queue=HOLD_QUEUE)
    queued_before = int(stack.redis.cli("LLEN", HOLD_QUEUE) or 0)
    restarts_before = stack.restarts()

    with Load(stack, api_mix(stack), threads=4, seconds=25) as load:
        time.sleep(5)
        say(
            f"INJECT: Redis SHUTDOWN (AOF flushed), {DOWN_SECONDS:.0f} s down, restart on port {stack.redis.port}; "
            f"{queued_before} tasks queued"
        )
        down_at = time.monotonic()
        stack.redis.shutdown()
        time.sleep(DOWN_SECONDS)
        stack.redis.start()
        up_at = time.monotonic()
        restart_wall = time.time()
        time.sleep(12)
    queued_after = int(stack.redis.cli("LLEN", HOLD_QUEUE) or 0)

    drain = stack.worker_proc("hold-worker", HOLD_QUEUE, concurrency=2)
    stack.extra.append(drain)
    drain.start()
    drained = wait_until(lambda: stack.effects()[0] - done_before >= QUEUED_TASKS, 60, 0.5)
    done_after, _ = stack.effects()
    tick_ok = wait_until(lambda: ticks(stack)[1] > restart_wall, 20, 0.5)
    first_tick = stack.pg.psql(
        f"SELECT coalesce(extract(epoch FROM min(at)), 0) FROM chaos_tick WHERE at > to_timestamp({restart_wall})",
        "fbrain",
    )

    restarts = {name: count - restarts_before.get(name, 0) for name, count in stack.restarts().items()}
    findings = []
    if any(restarts.values()):
        crashed = ", ".join(f"{name} x{count}" for name, count in restarts.items() if count)
        findings.append(
            f"process exits during the Redis restart, restarted by the supervisor: {crashed} "
            "(see the worker log: kombu raises AttributeError while restoring unacked messages on reconnect)"
        )
    unavailable = [s for s in load.samples if s.status == 503]
    total = len(load.samples)
    failed = [s for s in load.samples if s.status == 0 or s.status >= 500]
    server_errors = [s for s in load.samples if s.status == 500]
    rate = 100.0 * len(failed) / total if total else 100.0
    if rate >= 1.0:
        problems.append(f"{rate:.2f} % failed requests (limit 1 %)")
    if server_errors:
        problems.append(f"{len(server_errors)} responses were 500 (e.g. {server_errors[0].detail[:80]!r})")
    if queued_after != queued_before or queued_before != QUEUED_TASKS:
        problems.append(f"queue length {queued_before} before, {queued_after} after the restart")
    if not drained:
        problems.append(f"only {done_after - done_before} of {QUEUED_TASKS} queued tasks ran after the restart")
    if not tick_ok:
        problems.append("beat did not resume: no tick executed after the restart")
    figures = {
        "requests total": total,
        "failed requests": f"{len(failed)} ({rate:.3f} %), 500s: {len(server_errors)}",
        "failure details": sorted({f"{s.status} {s.detail[:50]}" for s in failed})[:3],
        "Redis down for (s)": round(up_at - down_at, 2),
        "tasks queued before / after restart": f"{queued_before} / {queued_after}",
        "queued tasks executed afterwards": done_after - done_before,
        "clean 503s (queue unavailable) during the blip": len(unavailable),
        "process restarts by the supervisor": restarts,
        "first beat tick after restart (s after restart)": round(float(first_tick) - restart_wall, 2)
        if tick_ok
        else None,
    }
    return Result("b (Redis restart, AOF on)", not problems, figures, problems, findings=findings)


if __name__ == "__main__":
    run_standalone(run, beat=True)
