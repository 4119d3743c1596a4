"""Periodic tasks (Celery beat, queue `maintenance`): purge old trash, re-check links, expire job files."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from fbrain.bookmarks import services as bookmarks
from fbrain.bookmarks.selectors import bookmarks_due_for_check
from fbrain.bookmarks.tasks import check_bookmark_link
from fbrain.core.errors import NotFound
from fbrain.maintenance.locks import periodic
from fbrain.notes import services as notes
from fbrain.notes.models import Note
from fbrain.transfer import services as transfer

PURGE_BATCH = 1000
RECHECK_BATCH = 200


@shared_task(
    name="fbrain.maintenance.tasks.purge_trash",
    queue="maintenance",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
@periodic("purge_trash", ttl=900)
def purge_trash() -> dict[str, int]:
    """Delete for good the notes that have been in the trash longer than TRASH_RETENTION_DAYS."""
    cutoff = timezone.now() - dt.timedelta(days=settings.TRASH_RETENTION_DAYS)
    purged = 0
    expired = Note.objects.filter(deleted_at__lt=cutoff).only("pk", "owner_id").order_by("deleted_at")
    for note in expired[:PURGE_BATCH]:
        try:
            notes.note_purge(note=note)
        except NotFound:  # restored or purged meanwhile
            continue
        purged += 1
    return {"purged": purged}


@shared_task(
    name="fbrain.maintenance.tasks.recheck_bookmarks",
    queue="maintenance",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
@periodic("recheck_bookmarks", ttl=900)
def recheck_bookmarks() -> dict[str, int]:
    """Queue a dead-link check for bookmarks not checked for CAPTURE_RECHECK_DAYS."""
    ids = bookmarks_due_for_check(older_than_days=settings.CAPTURE_RECHECK_DAYS, limit=RECHECK_BATCH)
    for note_id in ids:
        check_bookmark_link.delay(note_id)
    return {"queued": len(ids)}


@shared_task(
    name="fbrain.maintenance.tasks.expire_job_files",
    queue="maintenance",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
@periodic("expire_job_files", ttl=900)
def expire_job_files() -> dict[str, int]:
    """Delete uploads and export archives older than JOB_FILE_TTL_HOURS."""
    return {"expired": transfer.jobs_expire_files()}


@shared_task(
    name="fbrain.maintenance.tasks.recover_stalled_jobs",
    queue="maintenance",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
@periodic("recover_stalled_jobs", ttl=240)
def recover_stalled_jobs() -> dict[str, int]:
    """Re-queue jobs whose worker died (no heartbeat for JOB_STALL_SECONDS) and captures never queued."""
    return {
        "requeued": len(transfer.jobs_recover_stalled()),
        "bookmarks_requeued": bookmarks.bookmarks_requeue_pending(),
    }
