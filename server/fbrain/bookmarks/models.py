"""Bookmarks: the capture state and page metadata of a note of kind `bookmark`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fbrain.notes.models import Note


class Bookmark(models.Model):
    """A web page saved as a note; the capture task fills the page fields."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CAPTURED = "captured", "Captured"
        FAILED = "failed", "Failed"

    note = models.OneToOneField(Note, primary_key=True, on_delete=models.CASCADE, related_name="bookmark")
    # Denormalised from the note so the per-owner uniqueness of URLs is a database constraint.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    url = models.URLField(max_length=2000)
    normalized_url = models.CharField(max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_code = models.CharField(max_length=32, blank=True, default="")
    failure_reason = models.CharField(max_length=500, blank=True, default="")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True, default="")
    canonical_url = models.URLField(max_length=2000, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    page_title = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    site_name = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=35, blank=True, default="")
    # The page's readable text; also copied into the note's searchable extra text.
    text = models.TextField(blank=True, default="")
    # The placeholder title the note got at creation; replaced by the page title unless the user renamed it.
    placeholder_title = models.CharField(max_length=200, blank=True, default="")
    capture_requested_at = models.DateTimeField(default=timezone.now)
    fetched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    dead_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "normalized_url"], name="bookmarks_url_unique_per_owner"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "captured", "failed"]), name="bookmarks_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="bookmarks_failed_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="bookmarks_owner_created_idx"),
            models.Index(fields=["status", "checked_at"], name="bookmarks_recheck_idx"),
        ]

    def __str__(self) -> str:
        return self.url
