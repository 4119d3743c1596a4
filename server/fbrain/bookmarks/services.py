"""Writes on bookmarks: create, recapture, and record what a capture or a dead-link check found."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from fbrain.bookmarks.extraction import Extracted, extract
from fbrain.bookmarks.fetcher import Fetcher, FetchError, FetchResult
from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.normalize import clean_url, normalize_url, title_from_url
from fbrain.core import business_metrics as bm
from fbrain.core.errors import Conflict, ValidationFailed
from fbrain.notes import services as notes
from fbrain.notes.models import Note

logger = logging.getLogger(__name__)


def default_fetcher() -> Fetcher:
    """The fetcher as configured: allow-list from CAPTURE_ALLOW_HOSTS, a User-Agent naming F_BRAIN."""
    return Fetcher(
        allow_hosts=settings.CAPTURE_ALLOW_HOSTS,
        user_agent=f"F_BRAIN/{settings.APP_VERSION} (self-hosted bookmark capture)",
        total_timeout=settings.CAPTURE_TIMEOUT_SECONDS,
    )


def _queue_capture(note_id: int) -> None:
    from fbrain.bookmarks.tasks import capture_bookmark

    transaction.on_commit(lambda: capture_bookmark.delay(note_id))


# Each lost race for a variant costs one more look-up; contenders spread over more free numbers each round.
FREE_TITLE_ATTEMPTS = 10
T = TypeVar("T")


def _free_title(owner_id: int, wanted: str, *, host: str = "", exclude_id: int | None = None, skip: int = 0) -> str:
    """The first title no other live note of the owner uses: "Title", "Title (host)", "Title (2)", "Title (3)"...

    One indexed query reads every taken variant, however many pages share the title; the numbers never run
    out, so there is no fallback that could clash. `skip` passes over that many free variants first.
    """
    variants = [wanted] + ([f"{wanted[: 196 - len(host)]} ({host})"] if host and len(host) < 100 else [])
    stem = wanted[:190]
    live = Note.objects.filter(owner_id=owner_id, deleted_at__isnull=True).annotate(key=Lower("title"))
    if exclude_id is not None:
        live = live.exclude(pk=exclude_id)
    taken = set(
        live.filter(Q(key__in=[v.lower() for v in variants]) | Q(key__startswith=f"{stem.lower()} (")).values_list(
            "key", flat=True
        )
    )
    free = (v for v in variants if v.lower() not in taken)
    numbered = (f"{stem} ({n})" for n in itertools.count(2) if f"{stem.lower()} ({n})" not in taken)
    return next(itertools.islice(itertools.chain(free, numbered), skip, None))


def _with_free_title(
    write: Callable[[str], T], *, owner_id: int, wanted: str, host: str = "", exclude_id: int | None = None
) -> T:
    """`write(wanted)`, or `write` with the first free variant of it when the title is taken.

    The unique index on live titles is the check: the first write needs no look-up, and a variant that a
    concurrent write took first costs one more look-up. `write` must be atomic (a savepoint).
    """
    title = wanted
    for attempt in range(FREE_TITLE_ATTEMPTS):
        try:
            return write(title)
        except Conflict as clash:
            if clash.code != "duplicate_title":
                raise
        # Racing saves of one title would all pick the same lowest number again: spread them out.
        skip = random.randrange(attempt + 1)  # noqa: S311 - load spreading, not security
        title = _free_title(owner_id, wanted, host=host, exclude_id=exclude_id, skip=skip)
    return write(title)


@dataclass(frozen=True)
class CreateResult:
    bookmark: Bookmark
    created: bool


def bookmark_create(
    *, owner: Any, url: str, tags: Sequence[str] | None = None, note: str = "", title: str | None = None
) -> CreateResult:
    """Save a URL as a bookmark note and queue its capture; the same normalised URL returns the existing one.

    An existing bookmark whose note is in the trash is restored. Without a title the note gets a free
    placeholder ("host/path", "host/path (2)", ...). Raises ValidationFailed (400) for a URL that is not
    http(s) or for bad tags/body, Conflict (409) when an explicit title is taken.
    """
    url = clean_url(url)
    normalized = normalize_url(url)
    try:
        return _bookmark_create(owner=owner, url=url, normalized=normalized, tags=tags, note=note, title=title)
    except IntegrityError:
        # A concurrent request saved the same URL first: answer with its bookmark, like a sequential repeat.
        winner = Bookmark.objects.select_related("note").filter(owner=owner, normalized_url=normalized).first()
        if winner is None:
            raise
        return CreateResult(winner, created=False)


@transaction.atomic
def _bookmark_create(
    *, owner: Any, url: str, normalized: str, tags: Sequence[str] | None, note: str, title: str | None
) -> CreateResult:
    existing = Bookmark.objects.select_related("note").filter(owner=owner, normalized_url=normalized).first()
    if existing is not None:
        if existing.note.deleted_at is not None:
            notes.note_restore(note=existing.note)
            existing.note.refresh_from_db()
        return CreateResult(existing, created=False)

    def create_note(title: str) -> Note:
        return notes.note_create(owner=owner, title=title, body=note, kind=Note.Kind.BOOKMARK, tags=tags)

    placeholder = ""
    if title is None or not title.strip():
        created = _with_free_title(create_note, owner_id=owner.pk, wanted=title_from_url(url))
        placeholder = created.title
    else:
        created = create_note(title)
    bookmark = Bookmark.objects.create(
        note=created, owner=owner, url=url, normalized_url=normalized, placeholder_title=placeholder
    )
    _queue_capture(created.pk)
    return CreateResult(bookmark, created=True)


@transaction.atomic
def bookmark_attach(*, note: Note, url: str) -> Bookmark | None:
    """Make an existing note (an imported bookmark) the bookmark of `url` and queue its capture.

    None when the URL is not one we can fetch or the owner already has a bookmark for it.
    """
    try:
        url = clean_url(url)
    except ValidationFailed:
        return None
    normalized = normalize_url(url)
    if Bookmark.objects.filter(owner_id=note.owner_id, normalized_url=normalized).exists():
        return None
    bookmark = Bookmark.objects.create(note=note, owner_id=note.owner_id, url=url, normalized_url=normalized)
    _queue_capture(note.pk)
    return bookmark


@transaction.atomic
def bookmark_recapture(*, bookmark: Bookmark) -> Bookmark:
    """Mark a bookmark pending again and queue a fresh capture."""
    Bookmark.objects.filter(pk=bookmark.pk).update(
        status=Bookmark.Status.PENDING,
        capture_requested_at=timezone.now(),
        attempts=0,
        updated_at=timezone.now(),
    )
    bookmark.refresh_from_db()
    _queue_capture(bookmark.pk)
    return bookmark


def _renames_to_page_title(bookmark: Bookmark, page_title: str) -> bool:
    """The note takes the page's title unless the user chose a title (or renamed the note since)."""
    placeholder = bookmark.placeholder_title
    return bool(page_title and placeholder and bookmark.note.deleted_at is None and bookmark.note.title == placeholder)


@transaction.atomic
def bookmark_record_capture(*, bookmark_id: int, result: FetchResult, page: Extracted) -> Bookmark | None:
    """Store a successful fetch; the note takes the page title and its text becomes searchable."""
    bookmark = Bookmark.objects.select_for_update(of=("self",)).select_related("note").filter(pk=bookmark_id).first()
    if bookmark is None:
        return None
    searchable = "\n".join(part for part in (page.title, page.description, page.site_name, page.text) if part)
    note = bookmark.note
    renamed = False
    if _renames_to_page_title(bookmark, page.title):
        host = urlsplit(result.final_url or bookmark.url).hostname or ""
        try:
            # One note write: the new title and the page text, indexed together.
            note = _with_free_title(
                lambda title: notes.note_update(note=bookmark.note, title=title, extra_text=searchable),
                owner_id=bookmark.owner_id,
                wanted=page.title,
                host=host,
                exclude_id=bookmark.pk,
            )
            bookmark.note, bookmark.placeholder_title = note, note.title
            renamed = True
        except Conflict:  # lost every race for a free title; the placeholder is fine
            pass
    if not renamed:
        notes.note_set_extra_search_text(note=note, text=searchable)
    now = timezone.now()
    bookmark.status = Bookmark.Status.CAPTURED
    bookmark.failure_code = bookmark.failure_reason = ""
    bookmark.http_status = result.http_status
    bookmark.final_url = result.final_url[:2000]
    bookmark.content_type = result.content_type[:100]
    bookmark.canonical_url = page.canonical_url
    bookmark.page_title = page.title
    bookmark.description = page.description
    bookmark.site_name = page.site_name
    bookmark.language = page.language
    bookmark.text = page.text
    bookmark.fetched_at = bookmark.checked_at = bookmark.updated_at = now
    bookmark.dead_since = None
    bookmark.save()
    return bookmark


@transaction.atomic
def bookmark_record_failure(*, bookmark_id: int, error: FetchError) -> Bookmark | None:
    """Mark a bookmark failed with a reason a person can read."""
    bookmark = Bookmark.objects.select_for_update().filter(pk=bookmark_id).first()
    if bookmark is None:
        return None
    bookmark.status = Bookmark.Status.FAILED
    bookmark.failure_code = error.reason[:32]
    bookmark.failure_reason = (error.message or error.reason)[:500]
    bookmark.http_status = error.http_status
    bookmark.fetched_at = bookmark.checked_at = bookmark.updated_at = timezone.now()
    bookmark.save()
    return bookmark


def bookmark_capture(*, bookmark_id: int, final_attempt: bool, fetcher: Fetcher | None = None) -> str:
    """Fetch and extract a pending bookmark; returns the outcome.

    Transient errors (timeouts, connection errors, 429, 5xx) are raised again for the task to retry unless
    this is the final attempt; everything else is recorded at once. A bookmark that is not pending (already
    captured by an earlier delivery, or deleted) is left alone: running twice is running once.
    """
    bookmark = Bookmark.objects.filter(pk=bookmark_id, status=Bookmark.Status.PENDING).first()
    if bookmark is None:
        return "skipped"
    if not settings.CAPTURE_ENABLED:
        # Fuzzing and offline installations: never reach out to whatever URL was posted.
        disabled = FetchError("disabled", "Capture is turned off on this server (CAPTURE_ENABLED=false).")
        bookmark_record_failure(bookmark_id=bookmark_id, error=disabled)
        bm.CAPTURES.labels(outcome="failed", reason="disabled").inc()
        return "failed"
    Bookmark.objects.filter(pk=bookmark_id).update(attempts=bookmark.attempts + 1)
    started = time.perf_counter()
    try:
        result = (fetcher or default_fetcher()).fetch(bookmark.url)
        page = (
            extract(result.body, content_type=result.content_type, charset=result.charset, url=result.final_url)
            if result.body is not None
            else Extracted()
        )
    except FetchError as error:
        bm.CAPTURE_DURATION.observe(time.perf_counter() - started)
        if error.transient and not final_attempt:
            bm.CAPTURES.labels(outcome="retried", reason=error.reason).inc()
            raise
        bookmark_record_failure(bookmark_id=bookmark_id, error=error)
        bm.CAPTURES.labels(outcome="failed", reason=error.reason).inc()
        logger.info("capture failed", extra={"bookmark": bookmark_id, "reason": error.reason})
        return "failed"
    bm.CAPTURE_DURATION.observe(time.perf_counter() - started)
    bookmark_record_capture(bookmark_id=bookmark_id, result=result, page=page)
    reason = "ok" if result.body is not None else "metadata_only"
    bm.CAPTURES.labels(outcome="captured", reason=reason).inc()
    return "captured"


def bookmark_check_link(*, bookmark_id: int, fetcher: Fetcher | None = None) -> str:
    """Re-fetch a captured bookmark's page: a permanent failure marks the link dead, success alive again."""
    bookmark = Bookmark.objects.filter(pk=bookmark_id).exclude(status=Bookmark.Status.PENDING).first()
    if bookmark is None or not settings.CAPTURE_ENABLED:
        return "skipped"
    now = timezone.now()
    try:
        result = (fetcher or default_fetcher()).fetch(bookmark.url)
    except FetchError as error:
        if error.transient:
            Bookmark.objects.filter(pk=bookmark_id).update(checked_at=now)
            return "unknown"
        Bookmark.objects.filter(pk=bookmark_id, dead_since__isnull=True).update(dead_since=now)
        Bookmark.objects.filter(pk=bookmark_id).update(checked_at=now, http_status=error.http_status)
        return "dead"
    Bookmark.objects.filter(pk=bookmark_id).update(
        checked_at=now, dead_since=None, http_status=result.http_status, final_url=result.final_url[:2000]
    )
    return "alive"


# Longer than a capture with all its retries (3 x up to CAPTURE_RETRY_MAX_SECONDS plus timeouts).
PENDING_REQUEUE_AFTER = dt.timedelta(minutes=20)


def bookmarks_requeue_pending(*, now: dt.datetime | None = None) -> int:
    """Queue the capture again for bookmarks pending too long (the broker was down when they were saved).

    The capture task is idempotent, so a capture that was only slow costs one extra fetch at most.
    """
    now = now or timezone.now()
    stale = Bookmark.objects.filter(
        status=Bookmark.Status.PENDING, capture_requested_at__lt=now - PENDING_REQUEUE_AFTER
    ).values_list("pk", flat=True)
    ids = list(stale[:1000])
    for note_id in ids:
        with transaction.atomic():
            Bookmark.objects.filter(pk=note_id).update(capture_requested_at=now)
            _queue_capture(note_id)
    return len(ids)
