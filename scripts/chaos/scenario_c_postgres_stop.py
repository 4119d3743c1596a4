"""Scenario c: stop Postgres for 10 s under API load.

Injected: `pg_ctl stop -m fast` on the private cluster, 10 s of downtime, `pg_ctl start`.
Measured: /readyz answers while it is down, the shape of every API error, and the time from Postgres
accepting connections again to the first clean run of API successes. No process is restarted.
"""

from __future__ import annotations

import json
import threading
import time

from harness import Load, Result, Stack, api_mix, run_standalone, say, wait_until

DOWN_SECONDS = 10.0
RECOVERY_BUDGET_SECONDS = 10.0


def run(stack: Stack) -> Result:
    problems: list[str] = []
    readyz: list[tuple[float, int, list[str]]] = []
    stop_polling = threading.Event()

    def poll_readyz() -> None:
        while not stop_polling.is_set():
            at = time.monotonic()
            try:
                status, _, body = stack.get("/readyz")
                failing = json.loads(body).get("failing", [])
            except Exception as exc:  # a probe failure is a finding, not a crash
                status, failing = 0, [type(exc).__name__]
            readyz.append((at, status, failing))
            time.sleep(0.25)

    restarts_before = stack.restarts()
    poller = threading.Thread(target=poll_readyz, daemon=True)
    poller.start()
    with Load(stack, api_mix(stack), threads=4, seconds=DOWN_SECONDS + 25) as load:
        time.sleep(4)
        say(f"INJECT: pg_ctl stop -m fast (private cluster on port {stack.pg.port}) for {DOWN_SECONDS:.0f} s")
        stack.pg.stop("fast")
        down_at = time.monotonic()  # pg_ctl -w returns once the server is gone
        time.sleep(DOWN_SECONDS)
        start_at = time.monotonic()
        stack.pg.start()
        up_at = time.monotonic()
        say("INJECT: Postgres started again; waiting for the API to recover")
        api_ok = wait_until(
            lambda: stack.get("/api/v1/tokens/", token=stack.token)[0] == 200, RECOVERY_BUDGET_SECONDS + 5, 0.1
        )
        time.sleep(8)
    stop_polling.set()
    poller.join(timeout=5)

    during = load.between(down_at, start_at - 0.2)
    down_statuses = sorted({s.status for s in during})
    unclean = [s for s in during if s.status != 503 or not s.clean]
    ready_during = [r for r in readyz if down_at <= r[0] < start_at - 0.2]
    ready_not_503 = [r for r in ready_during if r[1] != 503]
    after = [s for s in load.samples if s.at >= up_at]
    first_ok = next((s.at for s in sorted(after, key=lambda s: s.at) if s.status < 400), None)
    recovery = (first_ok - up_at) if first_ok is not None else None
    steady = [s for s in after if first_ok is not None and s.at >= first_ok + 1.0]
    steady_failures = [s for s in steady if s.status >= 400 or s.status == 0]
    ready_after = [r for r in readyz if r[0] >= up_at]
    ready_back = next((r[0] - up_at for r in ready_after if r[1] == 200), None)

    if not during:
        problems.append("no request was made while Postgres was down")
    if unclean:
        sample = unclean[0]
        problems.append(
            f"{len(unclean)} responses while down were not clean JSON 503s (e.g. {sample.status} {sample.detail!r})"
        )
    if not ready_during or ready_not_503:
        problems.append(f"/readyz answered {sorted({r[1] for r in ready_not_503})} while Postgres was down")
    if not api_ok or recovery is None or recovery > RECOVERY_BUDGET_SECONDS:
        problems.append(f"API did not recover within {RECOVERY_BUDGET_SECONDS:.0f} s (took {recovery})")
    if steady_failures:
        problems.append(f"{len(steady_failures)} failures after recovery (e.g. {steady_failures[0].status})")
    if ready_back is None or ready_back > RECOVERY_BUDGET_SECONDS:
        problems.append(f"/readyz did not return to 200 within {RECOVERY_BUDGET_SECONDS:.0f} s ({ready_back})")
    alive = stack.web is not None and stack.web.alive() and stack.worker is not None and stack.worker.alive()
    restarted = {
        name: n - restarts_before.get(name, 0)
        for name, n in stack.restarts().items()
        if n != restarts_before.get(name, 0)
    }
    if not alive or restarted:
        problems.append(f"a process died or was restarted: {restarted or 'gunicorn or worker not running'}")

    figures = {
        "requests total": len(load.samples),
        "requests while Postgres down": len(during),
        "statuses while down": down_statuses,
        "unclean responses while down (not JSON 503)": len(unclean),
        "/readyz probes while down (all 503?)": f"{len(ready_during)} ({len(ready_not_503)} not 503)",
        "API recovery after Postgres start (s)": None if recovery is None else round(recovery, 2),
        "/readyz back to 200 after start (s)": None if ready_back is None else round(ready_back, 2),
        "failures after recovery": len(steady_failures),
        "processes restarted": restarted or 0,
    }
    return Result("c (Postgres stopped 10 s)", not problems, figures, problems)


if __name__ == "__main__":
    run_standalone(run)
