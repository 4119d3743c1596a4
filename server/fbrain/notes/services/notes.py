"""Writes on notes: create, update, trash, restore, purge, rename with link rewriting, extra search text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from fbrain.core import business_metrics as bm
from fbrain.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from fbrain.notes.models import BODY_MAX_BYTES, TITLE_MAX_LENGTH, Link, Note, Revision
from fbrain.notes.parsing import (
    ParsedBody,
    ParseError,
    normalize_newlines,
    normalize_tag_name,
    parse_body,
    rewrite_links,
)
from fbrain.notes.services import stamps, sync

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class StaleVersion(Conflict):
    """The client edited an older version of the note than the one stored."""

    code = "stale_version"


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationFailed("The title cannot be empty.", fields={"title": ["This field may not be blank."]})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationFailed(
            "The title is too long.",
            fields={"title": [f"Ensure this field has no more than {TITLE_MAX_LENGTH} characters."]},
        )
    if _CONTROL_RE.search(title):
        raise ValidationFailed("The title contains control characters.", fields={"title": ["No control characters."]})
    return title


def _check_body(body: str) -> ParsedBody:
    if "\x00" in body:
        raise ValidationFailed(
            "The body contains a NUL character.", fields={"body": ["NUL characters are not allowed."]}
        )
    if len(body) > BODY_MAX_BYTES or len(body.encode("utf-8", "surrogatepass")) > BODY_MAX_BYTES:
        raise PayloadTooLarge(
            "The body is larger than 1 MiB.", fields={"body": [f"At most {BODY_MAX_BYTES} bytes of UTF-8."]}
        )
    try:
        return parse_body(body)
    except ParseError as exc:
        raise ValidationFailed(str(exc), fields={"body": [str(exc)]}) from None


def _clean_tags(tags: Sequence[str] | None) -> list[str] | None:
    if tags is None:
        return None
    cleaned, errors = [], []
    for name in tags:
        try:
            cleaned.append(normalize_tag_name(name))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationFailed("Invalid tag names.", fields={"tags": errors})
    return cleaned


def _duplicate_title(title: str) -> Conflict:
    return Conflict(
        f"A note titled {title!r} already exists.",
        fields={"title": ["A note with this title already exists."]},
        code="duplicate_title",
    )


def _save(note: Note, **kwargs: Any) -> None:
    """Save; a taken title (the unique index on live titles) becomes a duplicate_title Conflict.

    The index is the only check, so a concurrent save of the same title cannot slip between a check and the
    write. Call it inside the caller's `transaction.atomic` service: leaving that block on the error rolls
    back to its savepoint, so the caller's own transaction stays usable.
    """
    try:
        note.save(**kwargs)
    except IntegrityError as exc:
        if "title" in str(exc).lower():
            raise _duplicate_title(note.title) from None
        raise


@transaction.atomic
def note_create(
    *,
    owner: Any,
    title: str,
    body: str = "",
    kind: str = Note.Kind.NOTE,
    pinned: bool = False,
    archived: bool = False,
    tags: Sequence[str] | None = None,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> Note:
    """Create a live note, parse its body and sync tags and links, all in one transaction.

    Bodies are stored with `\n` line ends (here, in note_update and in notes_bulk_create), whoever sends them.
    `tags` are explicit tags kept besides the `#tags`/front-matter tags of the body. `created_at`/`updated_at`
    let an import keep the original times. Raises ValidationFailed (400), PayloadTooLarge (413, body > 1 MiB)
    or Conflict (409, a live note already has this title, case-insensitively).
    """
    title = _clean_title(title)
    body = normalize_newlines(body)
    parsed = _check_body(body)
    explicit = _clean_tags(tags) or []
    if kind not in Note.Kind.values:
        raise ValidationFailed("Unknown kind.", fields={"kind": [f"One of {', '.join(Note.Kind.values)}."]})
    now = timezone.now()
    note = Note(
        owner=owner,
        title=title,
        body=body,
        kind=kind,
        pinned=pinned,
        archived=archived,
        aliases=parsed.aliases,
        created_at=created_at or now,
        updated_at=updated_at or created_at or now,
    )
    vector = None if parsed.all_tags or explicit else sync.new_note_search_vector(title=title, body=body)
    if vector is not None:
        note.search_vector = vector
    _save(note, force_insert=True)
    # As before: the instance does not carry its vector (callers that save it again must not re-send it).
    note.search_vector = None
    tag_names = sync.sync_tags(note=note, parsed=parsed.all_tags, explicit=explicit, fresh=True)
    sync.sync_links(note=note, links=parsed.links, fresh=True)
    sync.resolve_pending_links(note=note)
    if vector is None:
        text_chars = len(title) + len(body) + 2 * sum(len(name) + 1 for name in tag_names)
        sync.update_search_vectors([note.pk], text_chars=text_chars)
    stamps.content_changed(owner_id=note.owner_id)
    transaction.on_commit(bm.NOTES_CREATED.labels(kind=note.kind).inc)
    return note


def _locked(note: Note) -> Note:
    try:
        return Note.objects.select_for_update().get(pk=note.pk, owner_id=note.owner_id, deleted_at__isnull=True)
    except Note.DoesNotExist:
        raise NotFound("No such note.") from None


@transaction.atomic
def note_update(
    *,
    note: Note,
    expected_version: int | None = None,
    title: str | None = None,
    body: str | None = None,
    kind: str | None = None,
    pinned: bool | None = None,
    archived: bool | None = None,
    tags: Sequence[str] | None = None,
    rewrite_links: bool = False,
    updated_at: datetime | None = None,
    extra_text: str | None = None,
) -> Note:
    """Change a live note; `None` leaves a field as it is. Returns the saved note (version + 1).

    The version guards the content: changing only `pinned` and/or `archived` keeps it (and makes no
    revision), so it never makes a concurrent edit of the text fail; `updated_at` moves on every change.
    `expected_version`: the version the client edited; a different stored version raises StaleVersion (409)
    and changes nothing. `tags` replaces the explicit tags. A title or body change keeps the previous one as
    a Revision. On rename, links naming the old title become pending, pending links naming the new title
    resolve, and with `rewrite_links=True` the notes linking to the old title are rewritten to the new one.
    `extra_text` replaces the searchable text that is not part of the body (see note_set_extra_search_text).
    """
    current = _locked(note)
    if expected_version is not None and expected_version != current.version:
        raise StaleVersion(
            f"The note changed since version {expected_version} (now {current.version}); reload and retry.",
            fields={"version": [f"Stale: the current version is {current.version}."]},
        )
    old_title, old_body = current.title, current.body
    new_title = _clean_title(title) if title is not None else old_title
    new_body = normalize_newlines(body) if body is not None else old_body
    parsed = _check_body(new_body)
    explicit = _clean_tags(tags)
    if kind is not None and kind not in Note.Kind.values:
        raise ValidationFailed("Unknown kind.", fields={"kind": [f"One of {', '.join(Note.Kind.values)}."]})
    renamed = new_title != old_title
    flags_only = (pinned is not None or archived is not None) and not (
        renamed
        or new_body != old_body
        or explicit is not None
        or extra_text is not None
        or (kind is not None and kind != current.kind)
    )
    if renamed or new_body != old_body:
        Revision.objects.create(
            note=current, version=current.version, title=old_title, body=old_body, created_at=current.updated_at
        )
    current.title, current.body, current.aliases = new_title, new_body, parsed.aliases
    if extra_text is not None:
        current.extra_text = _clean_extra_text(extra_text)
    if kind is not None:
        current.kind = kind
    if pinned is not None:
        current.pinned = pinned
    if archived is not None:
        current.archived = archived
    if not flags_only:
        current.version += 1
    current.updated_at = updated_at or timezone.now()
    _save(current)
    if new_body != old_body or explicit is not None:
        # Tags and links derive from the body (and the explicit tags): unchanged, their rows are in step.
        sync.sync_tags(note=current, parsed=parsed.all_tags, explicit=explicit)
        sync.sync_links(note=current, links=parsed.links)
    if renamed:
        if rewrite_links:
            note_rewrite_links(note=current, old_title=old_title)
        sync.unresolve_links(note=current, keep_title=new_title)
        sync.resolve_pending_links(note=current)
    if not flags_only:
        sync.update_search_vectors([current.pk])
    stamps.content_changed(owner_id=current.owner_id)
    transaction.on_commit(bm.NOTES_UPDATED.labels(kind=current.kind).inc)
    return current


def note_rewrite_links(*, note: Note, old_title: str) -> int:
    """Rewrite `[[old_title]]` to `[[note.title]]` in the owner's live notes that link to either; returns count.

    Each rewritten note gets a normal update (new version, revision). Used on rename (the UI offers it).
    """
    source_ids = set(
        Link.objects.alias(key=Lower("target_title"))
        .filter(owner_id=note.owner_id, key=old_title.lower(), source__deleted_at__isnull=True)
        .exclude(source_id=note.pk)
        .values_list("source_id", flat=True)
    )
    count = 0
    for source in Note.objects.filter(id__in=source_ids).order_by("id"):
        new_body = rewrite_links(source.body, old_title, note.title)
        if new_body != source.body:
            note_update(note=source, body=new_body)
            count += 1
    return count


@transaction.atomic
def note_delete(*, note: Note, expected_version: int | None = None) -> Note:
    """Move a live note to the trash; links to it become pending. StaleVersion (409) on a version mismatch."""
    current = _locked(note)
    if expected_version is not None and expected_version != current.version:
        raise StaleVersion(
            f"The note changed since version {expected_version} (now {current.version}); reload and retry.",
            fields={"version": [f"Stale: the current version is {current.version}."]},
        )
    current.deleted_at = timezone.now()
    current.save(update_fields=["deleted_at"])
    sync.unresolve_links(note=current)
    stamps.content_changed(owner_id=current.owner_id)
    transaction.on_commit(bm.NOTES_DELETED.labels(kind=current.kind).inc)
    return current


def _trashed(note: Note) -> Note:
    try:
        return Note.objects.select_for_update().get(pk=note.pk, owner_id=note.owner_id, deleted_at__isnull=False)
    except Note.DoesNotExist:
        raise NotFound("No such note in the trash.") from None


@transaction.atomic
def note_restore(*, note: Note) -> Note:
    """Bring a trashed note back; pending links naming it resolve. Conflict (409) if its title is taken."""
    current = _trashed(note)
    current.deleted_at = None
    _save(current, update_fields=["deleted_at"])
    sync.resolve_pending_links(note=current)
    stamps.content_changed(owner_id=current.owner_id)
    return current


@transaction.atomic
def note_purge(*, note: Note) -> None:
    """Delete a trashed note for good, with its revisions, tags and outgoing links."""
    current = _trashed(note)
    current.delete()
    stamps.content_changed(owner_id=current.owner_id)


@transaction.atomic
def trash_empty(*, owner: Any) -> int:
    """Purge every trashed note of the owner; returns how many were purged."""
    trashed = Note.objects.filter(owner=owner, deleted_at__isnull=False)
    count = trashed.count()
    trashed.delete()
    if count:
        stamps.content_changed(owner_id=owner.pk)
    return count


def _clean_extra_text(text: str) -> str:
    return text.replace("\x00", "")[:BODY_MAX_BYTES]


@transaction.atomic
def note_set_extra_search_text(*, note: Note, text: str) -> None:
    """Set the searchable text that is not part of the body (a bookmark's extracted page), refresh the index.

    Does not change the version or make a revision. Text beyond 1 MiB is cut.
    """
    text = _clean_extra_text(text)
    Note.objects.filter(pk=note.pk).update(extra_text=text)
    note.extra_text = text
    sync.update_search_vectors([note.pk])
