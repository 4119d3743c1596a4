"""Reads of bookmarks, always scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fbrain.bookmarks.models import Bookmark
from fbrain.core.errors import NotFound


def bookmark_list(*, owner: Any, status: str | None = None, dead: bool | None = None) -> QuerySet[Bookmark]:
    """The owner's bookmarks whose note is live, newest first, with the note joined."""
    bookmarks = Bookmark.objects.filter(owner=owner, note__deleted_at__isnull=True).select_related("note")
    if status:
        bookmarks = bookmarks.filter(status=status)
    if dead is not None:
        bookmarks = bookmarks.filter(dead_since__isnull=not dead)
    return bookmarks.defer("text", "note__body", "note__extra_text", "note__search_vector").order_by(
        "-created_at", "-pk"
    )


def bookmark_get(*, owner: Any, bookmark_id: int) -> Bookmark:
    """One live bookmark of the owner; NotFound for anyone else's."""
    bookmark = (
        Bookmark.objects.filter(owner=owner, pk=bookmark_id, note__deleted_at__isnull=True)
        .select_related("note")
        .first()
    )
    if bookmark is None:
        raise NotFound("No such bookmark.")
    return bookmark


def bookmarks_due_for_check(*, older_than_days: int, limit: int) -> list[int]:
    """Ids of settled bookmarks (any owner) not checked for `older_than_days`, oldest check first."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    due = Bookmark.objects.filter(
        Q(checked_at__lt=cutoff) | Q(checked_at__isnull=True, created_at__lt=cutoff),
        note__deleted_at__isnull=True,
    ).exclude(status=Bookmark.Status.PENDING)
    return list(due.order_by("checked_at", "pk").values_list("pk", flat=True)[:limit])
