"""Import/export jobs with their progress and report, the files each import wrote, and stored attachments."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fbrain.notes.models import Note


def job_upload_path(job: Job, filename: str) -> str:
    return f"jobs/{job.owner_id}/{job.pk}/upload.zip"


def job_result_path(job: Job, filename: str) -> str:
    return f"jobs/{job.owner_id}/{job.pk}/{filename}"


def attachment_path(attachment: Attachment, filename: str) -> str:
    return f"attachments/{attachment.owner_id}/{uuid.uuid4().hex}/{filename}"


class Job(models.Model):
    """One import or export: what was asked, how far it got, what it did, and its files."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Conflict(models.TextChoices):
        SKIP = "skip", "Skip"
        RENAME = "rename", "Rename"
        OVERWRITE = "overwrite", "Overwrite"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    conflict = models.CharField(max_length=16, choices=Conflict.choices, default=Conflict.SKIP)
    # Imports: keep each note's folder as a tag (else as a `folder:` front matter property).
    folder_tags = models.BooleanField(default=False)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # Dry runs: what would happen to each file. Real runs: the same, as it happened (capped).
    report = models.JSONField(default=list, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True, default="")
    upload = models.FileField(upload_to=job_upload_path, blank=True, max_length=300)
    upload_name = models.CharField(max_length=255, blank=True, default="")
    result = models.FileField(upload_to=job_result_path, blank=True, max_length=300)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["import", "export"]), name="transfer_job_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed", "cancelled"]),
                name="transfer_job_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(conflict__in=["skip", "rename", "overwrite"]), name="transfer_job_conflict_valid"
            ),
            models.CheckConstraint(
                condition=Q(processed__lte=models.F("total")), name="transfer_job_progress_le_total"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="transfer_job_owner_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="transfer_job_status_idx"),
            models.Index(fields=["expires_at"], name="transfer_job_expires_idx", condition=Q(files_deleted_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class JobItem(models.Model):
    """One file an import has dealt with; written in the same transaction as the note, so a re-run skips it."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    path = models.CharField(max_length=1000)
    action = models.CharField(max_length=16)
    note = models.ForeignKey(Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attachment = models.ForeignKey("Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "path"], name="transfer_jobitem_unique_path")]

    def __str__(self) -> str:
        return f"{self.path}: {self.action}"


class Attachment(models.Model):
    """A file that came with an import (an image a note embeds), served only to its owner."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=400)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    source_path = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["owner", "name"], name="transfer_attachment_owner_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"/api/v1/attachments/{self.pk}/{quote(self.name)}"
