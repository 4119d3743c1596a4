"""Reads of jobs and attachments, scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fbrain.core.errors import NotFound
from fbrain.transfer.models import Attachment, Job


def job_list(*, owner: Any, kind: str | None = None) -> QuerySet[Job]:
    """The owner's jobs, newest first, without their (possibly long) reports."""
    jobs = Job.objects.filter(owner=owner).defer("report")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-pk")


def job_get(*, owner: Any, job_id: Any) -> Job:
    job = Job.objects.filter(owner=owner, pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    return job


def attachment_get(*, owner: Any, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.filter(owner=owner, pk=attachment_id).first()
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment
