"""Create many new notes at once with set-based writes (imports): the same rows note_create writes, per batch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, Value, When
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone

from fbrain.core import business_metrics as bm
from fbrain.core.errors import Conflict
from fbrain.notes.models import BODY_MAX_BYTES, TITLE_MAX_LENGTH, Link, Note, NoteTag
from fbrain.notes.parsing import ParsedBody, ParseError, normalize_newlines, normalize_tag_name, parse_body
from fbrain.notes.services import stamps, sync

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NewNote:
    """What notes_bulk_create needs of one note; the arguments note_create takes for a plain note."""

    title: str
    body: str = ""
    tags: Sequence[str] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class _Checked:
    index: int
    title: str
    body: str
    parsed: ParsedBody
    tags: list[str]


def _check(index: int, new: NewNote) -> _Checked | None:
    """The note cleaned as note_create would, or None when note_create would refuse it (its error says why)."""
    title = new.title.strip()
    body = normalize_newlines(new.body)
    if not title or len(title) > TITLE_MAX_LENGTH or _CONTROL_RE.search(title) or "\x00" in body:
        return None
    if len(body) > BODY_MAX_BYTES or len(body.encode("utf-8", "surrogatepass")) > BODY_MAX_BYTES:
        return None
    try:
        parsed = parse_body(body)
        tags = [normalize_tag_name(name) for name in new.tags]
    except (ParseError, ValueError):
        return None
    return _Checked(index, title, body, parsed, tags)


def _without_taken_titles(owner_id: int, checked: list[_Checked]) -> list[_Checked]:
    """Drop the notes whose title a live note (or an earlier note of the batch) already has."""
    keys = [item.title.lower() for item in checked]
    taken = set(
        Note.objects.alias(key=Lower("title"))
        .filter(owner_id=owner_id, deleted_at__isnull=True, key__in=keys)
        .annotate(lowered=Lower("title"))
        .values_list("lowered", flat=True)
    )
    kept = []
    for item, key in zip(checked, keys, strict=True):
        if key not in taken:
            taken.add(key)
            kept.append(item)
    return kept


def _add_tags(owner_id: int, notes: list[tuple[Note, _Checked]]) -> None:
    """NoteTag rows as sync_tags makes them for a new note (explicit tags first), with one tag lookup."""
    desired: list[dict[str, tuple[str, bool]]] = []
    for _, item in notes:
        wanted: dict[str, tuple[str, bool]] = {}
        for name in item.tags:
            wanted.setdefault(name.lower(), (name, True))
        for name in item.parsed.all_tags:
            wanted.setdefault(name.lower(), (name, False))
        desired.append(wanted)
    names = [name for wanted in desired for name, _ in wanted.values()]
    if not names:
        return
    tags = sync.tags_get_or_create(owner=owner_id, names=names)
    NoteTag.objects.bulk_create(
        [
            NoteTag(note=note, tag=tags[key], explicit=explicit)
            for (note, _), wanted in zip(notes, desired, strict=True)
            for key, (_, explicit) in wanted.items()
        ]
    )


def _add_links(owner_id: int, notes: list[tuple[Note, _Checked]]) -> None:
    """Link rows as sync_links makes them for a new note, resolved against live notes (the batch included)."""
    desired: list[tuple[dict[str, Any], set[str]]] = []
    for _, item in notes:
        wanted: dict[str, Any] = {}
        embeds: set[str] = set()
        for link in item.parsed.links:
            key = link.title.lower()
            wanted.setdefault(key, link)
            if link.embed:
                embeds.add(key)
        desired.append((wanted, embeds))
    keys = {key for wanted, _ in desired for key in wanted}
    if not keys:
        return
    targets = dict(
        Note.objects.alias(key=Lower("title"))
        .filter(owner_id=owner_id, deleted_at__isnull=True, key__in=list(keys))
        .annotate(lowered=Lower("title"))
        .values_list("lowered", "id")
    )
    Link.objects.bulk_create(
        [
            Link(
                owner_id=owner_id,
                source=note,
                target_title=link.title,
                alias=link.alias,
                heading=link.heading,
                embed=key in embeds,
                target_id=targets.get(key),
            )
            for (note, _), (wanted, embeds) in zip(notes, desired, strict=True)
            for key, link in wanted.items()
        ]
    )


def _resolve_pending_links(owner_id: int, notes: list[Note]) -> None:
    # Pending links of the owner named like one of the new notes (lower-cased the way sync.resolve_pending_links
    # does: by Python, compared with the database's lower()) point at it. One ORM statement for the batch, the
    # same on every backend.
    ids = {note.title.lower(): note.pk for note in notes}
    key = Lower("target_title")
    Link.objects.alias(key=key).filter(owner_id=owner_id, target__isnull=True, key__in=list(ids)).update(
        target_id=Case(
            *(When(Exact(key, title), then=Value(pk)) for title, pk in ids.items()), output_field=BigIntegerField()
        )
    )


def _update_search_vectors(notes: list[Note]) -> None:
    # update_search_vectors indexes less of every note it was given when one overflows a tsvector; only a
    # note longer than the fallback can overflow, so those go one by one and the rest keep the full index.
    short = [note.pk for note in notes if len(note.body) <= sync.SEARCH_TEXT_CHARS_FALLBACK]
    sync.update_search_vectors(short)
    for note in notes:
        if len(note.body) > sync.SEARCH_TEXT_CHARS_FALLBACK:
            sync.update_search_vectors([note.pk])


@transaction.atomic
def notes_bulk_create(*, owner: Any, notes: Sequence[NewNote]) -> list[Note | None]:
    """Create plain notes as note_create would (tags, links both ways, search), in a constant number of queries.

    Returns one entry per input: the created note, or None where note_create would have refused it (invalid
    title/body/tags, or the title is taken): call note_create for those to get its error. Raises Conflict
    (409) and writes nothing if a concurrent write took one of the titles meanwhile.
    """
    owner_id = owner.pk
    checked = [item for index, new in enumerate(notes) if (item := _check(index, new)) is not None]
    checked = _without_taken_titles(owner_id, checked)
    now = timezone.now()
    rows = []
    for item in checked:
        new = notes[item.index]
        rows.append(
            Note(
                owner_id=owner_id,
                title=item.title,
                body=item.body,
                aliases=item.parsed.aliases,
                created_at=new.created_at or now,
                updated_at=new.updated_at or new.created_at or now,
            )
        )
    if rows:
        try:
            Note.objects.bulk_create(rows)
        except IntegrityError as exc:
            raise Conflict("A note title of this batch was taken meanwhile.", code="duplicate_title") from exc
        created = list(zip(rows, checked, strict=True))
        _add_tags(owner_id, created)
        _add_links(owner_id, created)
        _resolve_pending_links(owner_id, rows)
        _update_search_vectors(rows)
        stamps.content_changed(owner_id=owner_id)
        count = len(rows)
        transaction.on_commit(lambda: bm.NOTES_CREATED.labels(kind=Note.Kind.NOTE).inc(count))
    result: list[Note | None] = [None] * len(notes)
    for note, item in zip(rows, checked, strict=True):
        result[item.index] = note
    return result
