"""Keep the derived rows of a note in step with its body: Tag/NoteTag, Link, and the search index."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import DataError, connection, transaction
from django.db.models import Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Left, Lower

from fbrain.notes.models import Link, Note, NoteTag, Tag
from fbrain.notes.parsing import WikiLink, unique_ci

# to_tsvector fails on documents whose vector passes 1 MB; index the head of huge texts only.
SEARCH_TEXT_CHARS = 256 * 1024
SEARCH_TEXT_CHARS_FALLBACK = 32 * 1024
# Below this many characters (at most 4 UTF-8 bytes each, a tsvector takes under 5 bytes per input byte) a
# vector stays far under 1 MB: no DataError is possible, so no savepoint is needed to catch one.
SEARCH_TEXT_CHARS_ALWAYS_FIT = 32 * 1024
SEARCH_CONFIG = "fbrain_search"

_SEARCH_VECTOR_SQL = f"""
UPDATE notes_note AS n SET search_vector =
    setweight(to_tsvector('{SEARCH_CONFIG}', n.title), 'A')
    || setweight(to_tsvector('{SEARCH_CONFIG}', coalesce((
        SELECT string_agg(t.name || ' ' || translate(t.name, '/-_', '   '), ' ')
        FROM notes_notetag AS nt JOIN notes_tag AS t ON t.id = nt.tag_id
        WHERE nt.note_id = n.id), '')), 'B')
    || setweight(to_tsvector('{SEARCH_CONFIG}', left(n.body, %s)), 'C')
    || setweight(to_tsvector('{SEARCH_CONFIG}', left(n.extra_text, %s)), 'D')
WHERE n.id = ANY(%s)
"""  # noqa: S608 - constant config name, values are parameters


# The FTS5 tables (migration 0005, SQLite only): their own copy of the text, one row per note, rowid = note id.
_FTS_DELETE_SQL = [
    f"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(%s))"  # noqa: S608 - constant names
    for table in ("notes_note_fts", "notes_note_title_fts")
]
_FTS_INSERT_SQL = """
INSERT INTO notes_note_fts (rowid, title, tags, body, extra)
SELECT n.id, n.title,
    coalesce((SELECT group_concat(t.name, ' ') FROM notes_notetag AS nt JOIN notes_tag AS t ON t.id = nt.tag_id
              WHERE nt.note_id = n.id), ''),
    substr(n.body, 1, %s), substr(n.extra_text, 1, %s)
FROM notes_note AS n WHERE n.id IN (SELECT value FROM json_each(%s))
"""
_FTS_TITLE_INSERT_SQL = """
INSERT INTO notes_note_title_fts (rowid, title) SELECT id, title FROM notes_note
WHERE id IN (SELECT value FROM json_each(%s))
"""


def new_note_search_vector(*, title: str, body: str) -> Combinable | None:
    """The search vector of a new note with no tags, to store with its INSERT; None when it cannot be.

    The same vector as _SEARCH_VECTOR_SQL computes, in one row version instead of an insert and an update:
    Postgres only, and only for a text short enough that it cannot overflow a tsvector.
    """
    if connection.vendor != "postgresql" or len(title) + len(body) > SEARCH_TEXT_CHARS_ALWAYS_FIT:
        return None
    parts = [Value(title), Value(""), Left(Value(body), SEARCH_TEXT_CHARS), Value("")]
    a, b, c, d = (SearchVector(part, config=SEARCH_CONFIG, weight=w) for part, w in zip(parts, "ABCD", strict=True))
    return a + b + c + d


def update_search_vectors(note_ids: Sequence[int], *, text_chars: int | None = None) -> None:
    """Recompute the search index of these notes (title A, tags B, body C, extra text D).

    On Postgres their search vector; on SQLite their row of the FTS5 table (update_search_index). Trashing or
    restoring a note changes nothing here (searches skip trashed notes); a deleted note's row goes with it.
    `text_chars`: the length of all the notes' indexed text (title, tag names twice, body, extra text), when
    the caller knows it; a short text is indexed in one statement, without the overflow fallback.
    """
    if connection.vendor == "sqlite":
        update_search_index(note_ids)
        return
    if connection.vendor != "postgresql" or not note_ids:
        return
    ids = list(note_ids)
    if text_chars is not None and text_chars <= SEARCH_TEXT_CHARS_ALWAYS_FIT:
        with connection.cursor() as cursor:
            cursor.execute(_SEARCH_VECTOR_SQL, [SEARCH_TEXT_CHARS, SEARCH_TEXT_CHARS, ids])
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_SEARCH_VECTOR_SQL, [SEARCH_TEXT_CHARS, SEARCH_TEXT_CHARS, ids])
    except DataError:
        # A pathological text (many distinct long words) overflows a tsvector: index less of it.
        with connection.cursor() as cursor:
            cursor.execute(_SEARCH_VECTOR_SQL, [SEARCH_TEXT_CHARS_FALLBACK, SEARCH_TEXT_CHARS_FALLBACK, ids])


def update_search_index(note_ids: Sequence[int]) -> None:
    """Rewrite the FTS5 rows (embedded mode, SQLite) of these notes from their title, tags, body and extra text.

    Four statements whatever the number of notes (the ids go as one JSON array).
    """
    if not note_ids:
        return
    ids = json.dumps(list(note_ids))
    with connection.cursor() as cursor:
        for statement in _FTS_DELETE_SQL:
            cursor.execute(statement, [ids])
        cursor.execute(_FTS_INSERT_SQL, [SEARCH_TEXT_CHARS, SEARCH_TEXT_CHARS, ids])
        cursor.execute(_FTS_TITLE_INSERT_SQL, [ids])


def tags_get_or_create(*, owner: Any, names: Iterable[str]) -> dict[str, Tag]:
    """The owner's tags with these names (case-insensitive), created when missing, by lower-cased name.

    `owner` is a user or a user id.
    """
    owner_id = owner if isinstance(owner, int) else owner.pk
    wanted = {name.lower(): name for name in unique_ci(list(names))}
    if not wanted:
        return {}
    tags = Tag.objects.alias(key=Lower("name")).filter(owner_id=owner_id)
    found: dict[str, Tag] = {tag.name.lower(): tag for tag in tags.filter(key__in=wanted)}
    missing = [Tag(owner_id=owner_id, name=name) for key, name in wanted.items() if key not in found]
    if missing:
        # A concurrent save may create the same tag: ignore the conflict and read the winner.
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        keys = [tag.name.lower() for tag in missing]
        found.update({tag.name.lower(): tag for tag in tags.filter(key__in=keys)})
    for key in [key for key in wanted if key not in found]:
        # Python's and the database's lower() disagree on a few characters: ask the database itself.
        match: Tag | None = tags.filter(key=Lower(Value(wanted[key]))).first()
        found[key] = match if match is not None else Tag.objects.create(owner_id=owner_id, name=wanted[key])
    return found


def sync_tags(*, note: Note, parsed: Sequence[str], explicit: Sequence[str] | None, fresh: bool = False) -> list[str]:
    """Make the note's tags the parsed ones plus the explicit ones (kept from before when `explicit` is None).

    `fresh`: the note was inserted in this transaction, so it has no tag rows yet and none are read.
    """
    current: dict[str, NoteTag] = {}
    if not fresh:
        current = {nt.tag.name.lower(): nt for nt in NoteTag.objects.filter(note=note).select_related("tag")}
    if explicit is None:
        explicit = [nt.tag.name for nt in current.values() if nt.explicit]
    desired: dict[str, tuple[str, bool]] = {}
    for name in explicit:
        desired.setdefault(name.lower(), (name, True))
    for name in parsed:
        desired.setdefault(name.lower(), (name, False))
    removed = [nt for key, nt in current.items() if key not in desired]
    changed = [nt for key, nt in current.items() if key in desired and nt.explicit != desired[key][1]]
    added = [key for key in desired if key not in current]
    if removed:
        NoteTag.objects.filter(id__in=[nt.id for nt in removed]).delete()
        Tag.objects.filter(id__in=[nt.tag_id for nt in removed], note_tags__isnull=True).delete()
    for nt in changed:
        nt.explicit = desired[nt.tag.name.lower()][1]
    if changed:
        NoteTag.objects.bulk_update(changed, ["explicit"])
    if added:
        tags = tags_get_or_create(owner=note.owner_id, names=[desired[key][0] for key in added])
        NoteTag.objects.bulk_create(
            [NoteTag(note=note, tag=tags[key], explicit=desired[key][1]) for key in added], ignore_conflicts=True
        )
    return sorted(name for name, _ in desired.values())


def sync_links(*, note: Note, links: Sequence[WikiLink], fresh: bool = False) -> None:
    """Make the note's outgoing Link rows match its `[[links]]`, resolving titles to live notes of the owner.

    `fresh`: the note was inserted in this transaction, so it has no Link rows yet and none are read.
    """
    desired: dict[str, WikiLink] = {}
    embeds: set[str] = set()
    for link in links:
        key = link.title.lower()
        desired.setdefault(key, link)
        if link.embed:
            embeds.add(key)
    if fresh and not desired:
        return
    current = {} if fresh else {link.target_title.lower(): link for link in Link.objects.filter(source=note)}
    targets = dict(
        Note.objects.alias(key=Lower("title"))
        .filter(owner_id=note.owner_id, deleted_at__isnull=True, key__in=list(desired))
        .annotate(lowered=Lower("title"))
        .values_list("lowered", "id")
    )
    stale = [link.id for key, link in current.items() if key not in desired]
    if stale:
        Link.objects.filter(id__in=stale).delete()
    updated, created = [], []
    for key, wanted in desired.items():
        fields = {
            "target_title": wanted.title,
            "alias": wanted.alias,
            "heading": wanted.heading,
            "embed": key in embeds,
            "target_id": targets.get(key),
        }
        row = current.get(key)
        if row is None:
            created.append(Link(owner_id=note.owner_id, source=note, **fields))
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            updated.append(row)
    if updated:
        Link.objects.bulk_update(updated, ["target_title", "alias", "heading", "embed", "target"])
    if created:
        Link.objects.bulk_create(created)


def resolve_pending_links(*, note: Note) -> int:
    """Point the owner's pending links named like this (live) note at it; returns how many resolved."""
    pending = Link.objects.alias(key=Lower("target_title")).filter(
        owner_id=note.owner_id, target__isnull=True, key=note.title.lower()
    )
    return pending.update(target=note)


def unresolve_links(*, note: Note, keep_title: str | None = None) -> int:
    """Make links to this note pending again (except those still naming `keep_title`)."""
    links = Link.objects.filter(target=note)
    if keep_title is not None:
        links = links.alias(key=Lower("target_title")).exclude(key=keep_title.lower())
    return links.update(target=None)
