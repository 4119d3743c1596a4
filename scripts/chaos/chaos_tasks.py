"""Tasks the chaos suite uses to count executions and effects in its private Postgres."""

import time

from celery import shared_task
from django.db import connection


@shared_task(name="chaos.record", acks_late=True, reject_on_worker_lost=True)
def record(key: str, seconds: float = 0.05) -> str:
    """Work for `seconds`, then record the effect once per key (idempotent) and count every run."""
    time.sleep(seconds)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO chaos_effect (key, runs) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET runs = chaos_effect.runs + 1",
            [key],
        )
    return key


@shared_task(name="chaos.beat_tick")
def beat_tick() -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO chaos_tick (at) VALUES (now())")
