"""Knowledge-base tables: notes, tags, links between notes and revisions, with their invariants in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

TITLE_MAX_LENGTH = 200
# A title as the API takes it, for the schema: surrounding spaces are dropped, and what is left is not empty and
# has no control characters (fbrain.notes.services.notes._clean_title).
TITLE_PATTERN = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f])?\s*$"
BODY_MAX_BYTES = 1024 * 1024
TAG_MAX_LENGTH = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Note(models.Model):
    """A Markdown note (or a bookmark, whose capture data lives in `bookmarks.Bookmark`)."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        BOOKMARK = "bookmark", "Bookmark"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    pinned = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    # From the front matter `aliases:`; informative (links resolve by title).
    aliases = models.JSONField(default=list, blank=True)
    # Text searched along with the body but not shown in it (a bookmark's extracted page text).
    extra_text = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Maintained by the services on every write (Postgres only; NULL on SQLite).
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("title"),
                condition=Q(deleted_at__isnull=True),
                name="notes_note_title_unique_live",
                violation_error_message="A note with this title already exists.",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="notes_note_title_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["note", "bookmark"]), name="notes_note_kind_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="notes_note_version_positive"),
            # Characters here; the services enforce the stricter limit in UTF-8 bytes.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_BYTES), name="notes_note_body_max_length"
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "-updated_at", "-id"],
                name="notes_live_updated_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["owner", "-created_at", "-id"],
                name="notes_live_created_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["owner", "title", "id"], name="notes_live_title_idx", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(
                fields=["owner", "-deleted_at", "-id"],
                name="notes_trash_idx",
                condition=Q(deleted_at__isnull=False),
            ),
            # The scheduled purge looks for old trash across owners.
            models.Index(fields=["deleted_at"], name="notes_trash_age_idx", condition=Q(deleted_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def etag(self) -> str:
        return self.etag_for(self.version, self.updated_at)

    @staticmethod
    def etag_for(version: int, updated_at: datetime) -> str:
        """`"<version>-<updated_at in µs>"`: the version guards the content (If-Match compares only it); the
        time changes with everything else shown (pinned, archived, a renamed tag), so the ETag is strong."""
        micros = (updated_at - EPOCH) // timedelta(microseconds=1)
        return f'"{version}-{micros}"'


class Tag(models.Model):
    """A per-owner tag; `/` in the name makes a hierarchy (`project/alpha` is a child of `project`)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=TAG_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("name"),
                name="notes_tag_name_unique",
                violation_error_message="A tag with this name already exists.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="notes_tag_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class NoteTag(models.Model):
    """A tag on a note; `explicit` tags were given by the client, the others come from the body."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="note_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="note_tags")
    explicit = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "tag"], name="notes_notetag_unique")]
        indexes = [models.Index(fields=["tag", "note"], name="notes_notetag_tag_idx")]

    def __str__(self) -> str:
        return f"{self.note_id} #{self.tag_id}"


class Link(models.Model):
    """A `[[wiki link]]` from one note to another; pending (target NULL) until a note has `target_title`."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.ForeignKey(Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="incoming_links")
    target_title = models.CharField(max_length=TITLE_MAX_LENGTH)
    alias = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True, default="")
    heading = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True, default="")
    embed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("source", Lower("target_title"), name="notes_link_unique_per_source"),
            models.CheckConstraint(condition=~Q(target_title=""), name="notes_link_target_title_not_empty"),
        ]
        indexes = [
            models.Index(
                "owner", Lower("target_title"), name="notes_link_pending_idx", condition=Q(target__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> [[{self.target_title}]]"

    @property
    def is_pending(self) -> bool:
        return self.target_id is None


class Revision(models.Model):
    """The title and body a note had at `version`, kept when a later save changed them."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "version"], name="notes_revision_unique_version")]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.note_id} v{self.version}"


class ContentState(models.Model):
    """When an owner's notes or tags last changed: the validator of their note lists (ETag, Last-Modified).

    Written by every note and tag service in the write's own transaction (`services.stamps`), so a list's
    validator changes in the same commit as its rows.
    """

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    # +1 on every change: two changes within one clock tick still give two validators.
    serial = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.owner_id} #{self.serial}"
