"""Reads of the knowledge base; every selector takes the acting user and sees only that user's rows."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from fbrain.core.errors import NotFound
from fbrain.notes.models import ContentState, Link, Note, NoteTag, Revision, Tag
from fbrain.notes.rendering import render_cached

LIST_EXCERPT_CHARS = 280


def tag_filter(name: str, *, owner: Any) -> Q:
    """Notes carrying tag `name` or one of its children (`project` matches `project/alpha`)."""
    lowered = name.strip().lstrip("#").strip("/").lower()
    return Q(
        id__in=NoteTag.objects.alias(key=Lower("tag__name"))
        .filter(Q(key=lowered) | Q(key__startswith=lowered + "/"), tag__owner=owner)
        .values("note_id")
    )


def _with_tags(notes: QuerySet[Note]) -> QuerySet[Note]:
    return notes.prefetch_related(
        Prefetch("note_tags", queryset=NoteTag.objects.select_related("tag").order_by("tag__name"))
    )


def _live_notes(
    *,
    owner: Any,
    tag: str | None = None,
    kind: str | None = None,
    pinned: bool | None = None,
    archived: bool | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Note]:
    notes = Note.objects.filter(owner=owner, deleted_at__isnull=True)
    if tag:
        notes = notes.filter(tag_filter(tag, owner=owner))
    if kind:
        notes = notes.filter(kind=kind)
    if pinned is not None:
        notes = notes.filter(pinned=pinned)
    if archived is not None:
        notes = notes.filter(archived=archived)
    if updated_since is not None:
        notes = notes.filter(updated_at__gte=updated_since)
    return notes


def note_list(*, owner: Any, with_body: bool = False, **filters: Any) -> QuerySet[Note]:
    """The owner's live notes with their tags prefetched; the body is deferred unless `with_body`.

    `filters`: tag, kind, pinned, archived, updated_since (see `_live_notes`).
    """
    notes = _live_notes(owner=owner, **filters)
    if not with_body:
        notes = notes.defer("body", "extra_text", "search_vector")
    return _with_tags(notes.defer("search_vector"))


NOTE_ROW_FIELDS = ("id", "title", "kind", "pinned", "archived", "version", "created_at", "updated_at")
NOTE_DETAIL_FIELDS = (*NOTE_ROW_FIELDS, "body", "aliases")


def attach_tag_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every row its `tag_names` (sorted), read for all rows with one query."""
    names: dict[int, list[str]] = {row["id"]: [] for row in rows}
    if names:
        pairs = NoteTag.objects.filter(note_id__in=names).order_by("tag__name").values_list("note_id", "tag__name")
        for note_id, name in pairs:
            names[note_id].append(name)
    for row in rows:
        row["tag_names"] = names[row["id"]]
    return rows


def note_rows(*, owner: Any, **filters: Any) -> QuerySet[Any]:
    """The owner's live notes as dicts of NOTE_ROW_FIELDS; `attach_tag_names` completes a page of them.

    For the API list: building ~70 model instances (notes, note-tag rows, tags) and running a prefetch for a
    page of 20 cost several times the page's SQL.
    """
    return _live_notes(owner=owner, **filters).values(*NOTE_ROW_FIELDS)


def content_state(*, owner: Any) -> tuple[int, datetime | None]:
    """The owner's content stamp `(serial, changed_at)`, what every note list's validator is made of.

    `(0, None)` before the owner's first write. One primary-key read: cheap enough for every list request.
    """
    rows = list(ContentState.objects.filter(owner_id=owner.pk).values_list("serial", "changed_at")[:1])
    return rows[0] if rows else (0, None)


def _changed_at() -> Subquery:
    return Subquery(ContentState.objects.filter(owner_id=OuterRef("owner_id")).values("changed_at")[:1])


def note_validator(*, owner: Any, note_id: int) -> dict[str, Any]:
    """`version`, `updated_at` and the owner's `changed_at` of a live note (its ETag and Last-Modified)."""
    rows = list(
        _live_notes(owner=owner).filter(pk=note_id).values("version", "updated_at", changed_at=_changed_at())[:1]
    )
    if not rows:
        raise NotFound("No such note.")
    return dict(rows[0])


def note_data(*, owner: Any, note_id: int) -> dict[str, Any]:
    """A live note of the owner as a dict of NOTE_DETAIL_FIELDS with `tag_names` (and the owner's
    `changed_at`, read in the same statement); NotFound otherwise."""
    rows = list(_live_notes(owner=owner).filter(pk=note_id).values(*NOTE_DETAIL_FIELDS, changed_at=_changed_at())[:1])
    if not rows:
        raise NotFound("No such note.")
    return attach_tag_names(rows)[0]


def note_get(*, owner: Any, note_id: int) -> Note:
    """A live note of the owner, with tags; NotFound otherwise (also for another user's note)."""
    note = _with_tags(Note.objects.filter(owner=owner, deleted_at__isnull=True, pk=note_id)).first()
    if note is None:
        raise NotFound("No such note.")
    return note


def note_get_by_title(*, owner: Any, title: str) -> Note | None:
    """The owner's live note with this title (case-insensitive), or None."""
    return (
        Note.objects.alias(key=Lower("title"))
        .filter(owner=owner, deleted_at__isnull=True, key=title.strip().lower())
        .first()
    )


def trash_list(*, owner: Any) -> QuerySet[Note]:
    """The owner's trashed notes, most recently deleted first."""
    notes = Note.objects.filter(owner=owner, deleted_at__isnull=False).defer("body", "extra_text", "search_vector")
    return _with_tags(notes.order_by("-deleted_at", "-id"))


def trash_get(*, owner: Any, note_id: int) -> Note:
    note = Note.objects.filter(owner=owner, deleted_at__isnull=False, pk=note_id).first()
    if note is None:
        raise NotFound("No such note in the trash.")
    return note


def backlinks(*, owner: Any, note: Note) -> QuerySet[Link]:
    """Links from the owner's live notes to `note`, with their source notes."""
    return (
        Link.objects.filter(owner=owner, target=note, source__deleted_at__isnull=True)
        .annotate(source_updated_at=F("source__updated_at"))
        .select_related("source")
        .only("id", "target_title", "alias", "heading", "embed", "target_id", "source__id", "source__title",
              "source__kind", "source__updated_at")
        .order_by("-source__updated_at", "-id")
    )  # fmt: skip


def outgoing_links(*, owner: Any, note: Note) -> QuerySet[Link]:
    """Links written in `note` (resolved and pending), with their live targets."""
    return (
        Link.objects.filter(owner=owner, source=note)
        .annotate(target_key=Lower("target_title"))
        .select_related("target")
        .only("id", "target_title", "alias", "heading", "embed", "target_id", "target__id", "target__title",
              "target__kind", "target__updated_at")
        .order_by(Lower("target_title"), "id")
    )  # fmt: skip


def revision_list(*, owner: Any, note: Note) -> QuerySet[Revision]:
    return Revision.objects.filter(note=note, note__owner=owner).defer("body").order_by("-version")


def revision_get(*, owner: Any, note: Note, revision_id: int) -> Revision:
    revision = Revision.objects.filter(note=note, note__owner=owner, pk=revision_id).select_related("note").first()
    if revision is None:
        raise NotFound("No such revision.")
    return revision


def tag_list(*, owner: Any, prefix: str | None = None) -> QuerySet[Tag]:
    """The owner's tags with `note_count` (live notes), by name; `prefix` keeps a tag and its children."""
    tags = Tag.objects.filter(owner=owner).annotate(key=Lower("name"))
    if prefix:
        lowered = prefix.strip().lstrip("#").strip("/").lower()
        tags = tags.filter(Q(key=lowered) | Q(key__startswith=lowered + "/"))
    return tags.annotate(note_count=Count("note_tags", filter=Q(note_tags__note__deleted_at__isnull=True))).order_by(
        Lower("name"), "id"
    )


def tag_get(*, owner: Any, tag_id: int) -> Tag:
    tag = tag_list(owner=owner).filter(pk=tag_id).first()
    if tag is None:
        raise NotFound("No such tag.")
    return tag


def link_targets(*, note: Note) -> dict[str, int]:
    """`lower(title) -> note id` of the note's resolved links (what the renderer needs)."""
    return {
        title.lower(): target_id
        for title, target_id in Link.objects.filter(source=note, target__isnull=False).values_list(
            "target_title", "target_id"
        )
    }


def note_html(*, note: Note) -> str:
    """The note's body as safe HTML, cached per version and link state (one query for the links)."""
    return render_cached(note_id=note.pk, version=note.version, body=note.body, link_targets=link_targets(note=note))


GRAPH_MAX_EDGES = 5000


def graph(*, owner: Any, tag: str | None = None, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    """A page of the owner's link graph: live notes (by id) and resolved links leaving them (3 queries).

    With `tag`, only notes carrying it (or a child) and links between such notes.
    """
    notes = Note.objects.filter(owner=owner, deleted_at__isnull=True)
    if tag:
        notes = notes.filter(tag_filter(tag, owner=owner))
    count = notes.count()
    nodes = list(notes.order_by("id").values("id", "title", "kind")[offset : offset + limit])
    edges_query = Link.objects.filter(
        owner=owner, source_id__in=[node["id"] for node in nodes], target__deleted_at__isnull=True
    ).exclude(target__isnull=True)
    if tag:
        edges_query = edges_query.filter(target__in=notes)
    edges = list(
        edges_query.order_by("source_id", "target_id")
        .values("source_id", "target_id")
        .distinct()[: GRAPH_MAX_EDGES + 1]
    )
    return {
        "count": count,
        "has_next": offset + len(nodes) < count,
        "nodes": nodes,
        "edges": [{"source": edge["source_id"], "target": edge["target_id"]} for edge in edges[:GRAPH_MAX_EDGES]],
        "edges_truncated": len(edges) > GRAPH_MAX_EDGES,
    }


def revision_diff(*, note: Note, revision: Revision, against: Revision | None = None) -> dict[str, Any]:
    """Unified diff from `revision` to `against` (another revision of the note) or to the current note."""
    new_version, new_title, new_body = (
        (against.version, against.title, against.body) if against else (note.version, note.title, note.body)
    )
    old = [f"# {revision.title}\n", "\n", *revision.body.splitlines(keepends=True)]
    new = [f"# {new_title}\n", "\n", *new_body.splitlines(keepends=True)]
    diff = difflib.unified_diff(old, new, fromfile=f"version {revision.version}", tofile=f"version {new_version}")
    return {
        "from_version": revision.version,
        "to_version": new_version,
        "title_changed": revision.title != new_title,
        "diff": "".join(line if line.endswith("\n") else line + "\n" for line in diff),
    }
