"""Celery tasks of the `transfer` queue: run an import or an export job. Thin: a job id in, one service."""

from __future__ import annotations

from celery import shared_task

from fbrain.transfer import services


# acks_late + reject_on_worker_lost: a worker killed mid-job gets the job redelivered; the run resumes
# from its JobItems (each written with its note), so nothing is imported twice.
@shared_task(
    name="fbrain.transfer.tasks.run_import",
    queue="transfer",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def run_import(job_id: str) -> str:
    return services.import_run(job_id=job_id)


@shared_task(
    name="fbrain.transfer.tasks.run_export",
    queue="transfer",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def run_export(job_id: str) -> str:
    return services.export_run(job_id=job_id)
