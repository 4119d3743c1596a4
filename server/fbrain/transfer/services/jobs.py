"""Job life cycle: create, claim (once, with a bounded number of attempts), progress, cancel, finish, expire."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from fbrain.core import business_metrics as bm
from fbrain.core.errors import Conflict, PayloadTooLarge, ValidationFailed
from fbrain.transfer.models import Job

logger = logging.getLogger(__name__)

MAX_REPORT_ITEMS = 1000
MAX_ERRORS = 1000


class JobCancelled(Exception):
    """The owner asked to stop; raised between files so every finished file stays consistent."""


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.JOB_FILE_TTL_HOURS)


def _queue(job: Job) -> None:
    from fbrain.transfer.tasks import run_export, run_import

    task = run_import if job.kind == Job.Kind.IMPORT else run_export
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.delay(job_id))


@transaction.atomic
def import_create(
    *, owner: Any, upload: UploadedFile, dry_run: bool = False, conflict: str = "skip", folder_tags: bool = False
) -> Job:
    """Store an uploaded zip and queue its import. PayloadTooLarge over the upload limit; 400 if not a zip."""
    import zipfile

    if conflict not in Job.Conflict.values:
        raise ValidationFailed("Unknown conflict policy.", fields={"conflict": ["One of skip, rename, overwrite."]})
    if upload.size is not None and upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        limit = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise PayloadTooLarge(f"The archive is larger than {limit} MiB.", fields={"file": [f"At most {limit} MiB."]})
    if not zipfile.is_zipfile(upload):
        raise ValidationFailed("The file is not a zip archive.", fields={"file": ["Upload a .zip file."]})
    upload.seek(0)
    job = Job(
        owner=owner,
        kind=Job.Kind.IMPORT,
        dry_run=dry_run,
        conflict=conflict,
        folder_tags=folder_tags,
        upload_name=(upload.name or "upload.zip")[:255],
        expires_at=_expiry(),
    )
    job.upload.save("upload.zip", upload, save=False)
    job.save(force_insert=True)
    _queue(job)
    return job


@transaction.atomic
def export_create(*, owner: Any) -> Job:
    """Queue an export of all the owner's live notes."""
    job = Job.objects.create(owner=owner, kind=Job.Kind.EXPORT, expires_at=_expiry())
    _queue(job)
    return job


@transaction.atomic
def job_cancel(*, job: Job) -> Job:
    """Stop a job: a queued one at once; a running one between two files. Conflict (409) if it has finished."""
    current = Job.objects.select_for_update().get(pk=job.pk)
    if current.is_finished:
        raise Conflict(f"The job has already {current.status}.", code="job_finished")
    if current.status == Job.Status.QUEUED:
        _finish(current, Job.Status.CANCELLED, reason="Cancelled before it started.")
    else:
        current.cancel_requested = True
        current.save(update_fields=["cancel_requested"])
    return current


def job_claim(*, job_id: str) -> Job | None:
    """Start (or resume) a job for this delivery; None when there is nothing to do.

    Nothing to do: the job is gone, finished, or running elsewhere with a fresh heartbeat. A job that was
    interrupted (worker killed) resumes; after JOB_MAX_ATTEMPTS interrupted attempts it fails cleanly.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        now = timezone.now()
        stale_before = now - dt.timedelta(seconds=settings.JOB_STALL_SECONDS)
        if job.status == Job.Status.RUNNING and job.heartbeat_at and job.heartbeat_at > stale_before:
            return None
        if job.cancel_requested:
            _finish(job, Job.Status.CANCELLED, reason="Cancelled.")
            return None
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            _finish(
                job,
                Job.Status.FAILED,
                reason=f"The job was interrupted {job.attempts} times (worker stopped); giving up.",
            )
            return None
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
        return job


def _finish(job: Job, status: str, *, reason: str = "") -> None:
    job.status = status
    job.failure_reason = reason[:500]
    job.finished_at = timezone.now()
    job.heartbeat_at = job.finished_at
    job.save(update_fields=["status", "failure_reason", "finished_at", "heartbeat_at", "counts", "errors", "report"])
    kind, outcome = job.kind, status
    transaction.on_commit(lambda: bm.JOBS.labels(kind=kind, outcome=outcome).inc())


def job_finish(*, job: Job, status: str, reason: str = "") -> None:
    """Record the end of a job with its counts, errors and report."""
    job.errors = job.errors[:MAX_ERRORS]
    job.report = job.report[:MAX_REPORT_ITEMS]
    with transaction.atomic():
        _finish(job, status, reason=reason)
    logger.info("job finished", extra={"job": str(job.pk), "kind": job.kind, "status": status})


class Progress:
    """Counts processed items and writes them (with a heartbeat) at least every `interval` seconds."""

    def __init__(self, job: Job, total: int, *, interval: float = 1.0) -> None:
        self.job = job
        self.interval = interval
        self._last = 0.0
        job.total = max(total, job.processed)
        self.flush()

    def advance(self, count: int = 1) -> None:
        self.job.processed = min(self.job.processed + count, self.job.total)
        if time.monotonic() - self._last >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Write progress and read the cancel flag; raises JobCancelled when the owner asked to stop."""
        self._last = time.monotonic()
        self.job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            processed=self.job.processed, total=self.job.total, heartbeat_at=self.job.heartbeat_at
        )
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled


def jobs_expire_files(*, now: dt.datetime | None = None) -> int:
    """Delete the upload and result files of jobs past their expiry; returns how many jobs were cleaned."""
    now = now or timezone.now()
    cleaned = 0
    for job in Job.objects.filter(expires_at__lt=now, files_deleted_at__isnull=True).order_by("expires_at")[:500]:
        for field in (job.upload, job.result):
            if field:
                field.delete(save=False)
        Job.objects.filter(pk=job.pk).update(upload="", result="", files_deleted_at=now)
        cleaned += 1
    return cleaned


def jobs_recover_stalled(*, now: dt.datetime | None = None) -> list[str]:
    """Re-queue running jobs whose heartbeat stopped (their worker died); the tasks resume where they were."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.JOB_STALL_SECONDS)
    stalled = list(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before).values_list("pk", flat=True)
    )
    stalled += list(
        Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=stale_before).values_list("pk", flat=True)
    )
    for job in Job.objects.filter(pk__in=stalled):
        with transaction.atomic():
            _queue(job)
    return [str(pk) for pk in stalled]
