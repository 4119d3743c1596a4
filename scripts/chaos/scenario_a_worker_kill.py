"""Scenario a: SIGKILL the Celery worker (master and pool) while 200 tasks are queued or running; restart it.

Injected: SIGKILL to the worker's whole process group while it works through 200 queued tasks, then a
fresh worker. Tasks are acks_late + reject_on_worker_lost, so a message whose worker died is redelivered
once the broker's visibility timeout passes (scaled down to CHAOS_VISIBILITY_TIMEOUT for this run).
Measured: tasks completed, lost, executed twice, and whether any effect was duplicated.

This drives `chaos.record` tasks (an idempotent insert keyed by task): the mechanism alone. run.py's
scenario a uses scenario_a_jobs.py (real captures and imports) when their APIs are in the schema.
"""

from __future__ import annotations

import os
import time

from celery import Celery
from harness import Result, Stack, run_standalone, say, wait_until

TASKS = 200
TASK_SECONDS = 0.1
VISIBILITY = int(os.environ.get("CHAOS_VISIBILITY_TIMEOUT", "15"))


def run(stack: Stack) -> Result:
    assert stack.worker is not None
    problems: list[str] = []
    client = Celery("chaos-client", broker=stack.redis.url(0))
    client.conf.task_serializer = "json"
    done_before, runs_before = stack.effects()
    keys = [f"a-{i}-{time.time_ns()}" for i in range(TASKS)]
    for key in keys:
        client.send_task("chaos.record", args=[key, TASK_SECONDS], queue="celery")
    say(f"queued {TASKS} chaos.record tasks ({TASK_SECONDS} s each) on a 2-process worker")
    wait_until(lambda: stack.effects()[0] - done_before >= 20, 30, 0.05)
    done_at_kill = stack.effects()[0] - done_before
    queued_at_kill = int(stack.redis.cli("LLEN", "celery") or 0)
    unacked_at_kill = int(stack.redis.cli("HLEN", "unacked") or 0)
    say(
        f"INJECT: SIGKILL worker process group {stack.worker.pid} "
        f"({done_at_kill} done, {queued_at_kill} queued, {unacked_at_kill} delivered-unacked)"
    )
    killed_at = time.monotonic()
    stack.worker.kill()
    time.sleep(2)
    say("INJECT: starting a new worker")
    stack.start_worker()
    budget = VISIBILITY + 60
    completed = wait_until(lambda: stack.effects()[0] - done_before >= TASKS, budget, 0.25)
    finished_after = time.monotonic() - killed_at
    time.sleep(2)
    done, runs = stack.effects()
    done -= done_before
    runs -= runs_before
    lost = TASKS - done
    if not completed or lost:
        problems.append(f"{lost} of {TASKS} tasks never completed within {budget} s")
    duplicate_effects = int(
        stack.pg.psql("SELECT count(*) FROM chaos_effect WHERE key LIKE 'a-%' AND runs > 1", "fbrain")
    )
    figures = {
        "left in queue / unacked at the end": f"{stack.redis.cli('LLEN', 'celery')} / {stack.redis.cli('HLEN', 'unacked')}",
        "tasks queued": TASKS,
        "done / queued / delivered-unacked at kill": f"{done_at_kill} / {queued_at_kill} / {unacked_at_kill}",
        "tasks completed": done,
        "tasks lost": lost,
        "tasks executed more than once (redelivered in-flight)": duplicate_effects,
        "effect rows (idempotent insert keyed by task)": done,
        "all done after kill (s)": round(finished_after, 1),
        "visibility timeout used (s)": VISIBILITY,
        "total executions": runs,
    }
    return Result("a (Celery worker SIGKILL, 200 tasks)", not problems, figures, problems)


if __name__ == "__main__":
    run_standalone(run)
