"""Writes on tags: rename (children follow) and merge, rewriting the `#tags` in the notes that carry them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from fbrain.core.errors import Conflict, ValidationFailed
from fbrain.notes.models import Note, NoteTag, Revision, Tag
from fbrain.notes.parsing import normalize_tag_name, rewrite_tag
from fbrain.notes.services import stamps, sync


def _clean_name(name: str, field: str) -> str:
    try:
        return normalize_tag_name(name)
    except ValueError as exc:
        raise ValidationFailed(str(exc), fields={field: [str(exc)]}) from None


def _family(tag: Tag) -> Q:
    """The tag and its children (compared with the database's own lower())."""
    return Q(owner_id=tag.owner_id) & (Q(pk=tag.pk) | Q(key__startswith=Lower(Value(tag.name + "/"))))


def _retag(*, tag: Tag, new: str) -> Tag:
    """Rename `tag` (and its children) to `new` in every note carrying it: bodies, front matter, tag rows."""
    owner_id, old = tag.owner_id, tag.name
    tags = list(Tag.objects.alias(key=Lower("name")).filter(_family(tag)))
    note_ids = list(NoteTag.objects.filter(tag__in=tags).values_list("note_id", flat=True).distinct())
    for note in Note.objects.filter(id__in=note_ids).order_by("id"):
        new_body = rewrite_tag(note.body, old, new)
        if new_body != note.body:
            Revision.objects.create(
                note=note, version=note.version, title=note.title, body=note.body, created_at=note.updated_at
            )
            note.body = new_body
            note.version += 1
            note.save(update_fields=["body", "version"])
    links = list(NoteTag.objects.filter(tag__in=tags).select_related("tag"))
    renamed = {tag.id: new + tag.name[len(old) :] for tag in tags}
    targets = sync.tags_get_or_create(owner=owner_id, names=list(renamed.values()))
    existing = set(NoteTag.objects.filter(tag__in=targets.values()).values_list("note_id", "tag_id"))
    moved = []
    for link in links:
        target = targets[renamed[link.tag_id].lower()]
        if target.id != link.tag_id and (link.note_id, target.id) not in existing:
            moved.append(NoteTag(note_id=link.note_id, tag=target, explicit=link.explicit))
            existing.add((link.note_id, target.id))
    NoteTag.objects.filter(tag__in=[t for t in tags if t.id not in {x.id for x in targets.values()}]).delete()
    NoteTag.objects.bulk_create(moved, ignore_conflicts=True)
    Tag.objects.filter(id__in=[t.id for t in tags], note_tags__isnull=True).exclude(
        id__in=[t.id for t in targets.values()]
    ).delete()
    sync.update_search_vectors(note_ids)
    _shown_changed(owner_id, note_ids)
    return sync.tags_get_or_create(owner=owner_id, names=[new])[new.lower()]


def _shown_changed(owner_id: int, note_ids: list[int]) -> None:
    """The notes now show other tag names: new validators for them (`updated_at`, their ETag) and the lists."""
    Note.objects.filter(id__in=note_ids).update(updated_at=timezone.now())
    stamps.content_changed(owner_id=owner_id)


@transaction.atomic
def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Rename a tag and its children (`a` → `b` makes `a/x` → `b/x`), rewriting `#a` in the notes' bodies.

    Conflict (409) if another tag already has the new name (merge them instead). Each rewritten body keeps a
    revision and bumps the note's version, so an editor holding the old text is refused.
    """
    new = _clean_name(name, "name")
    if new.lower() != tag.name.lower():
        clash = Tag.objects.alias(key=Lower("name")).filter(owner_id=tag.owner_id, key=new.lower())
        if clash.exists():
            raise Conflict(
                f"A tag named {new!r} already exists; merge the tags instead.",
                fields={"name": ["A tag with this name already exists."]},
                code="duplicate_tag",
            )
        if new.lower().startswith(tag.name.lower() + "/"):
            raise ValidationFailed(
                "A tag cannot become its own child.", fields={"name": ["Cannot nest a tag in itself."]}
            )
    if new.lower() == tag.name.lower():
        return _recase(tag, new)
    renamed = _retag(tag=tag, new=new)
    Tag.objects.filter(pk=tag.pk, note_tags__isnull=True).delete()
    return renamed


def _recase(tag: Tag, name: str) -> Tag:
    tag.name = name
    tag.save(update_fields=["name"])
    _shown_changed(tag.owner_id, list(NoteTag.objects.filter(tag=tag).values_list("note_id", flat=True)))
    return tag


@transaction.atomic
def tag_merge(*, owner: Any, sources: Sequence[Tag], target_name: str) -> Tag:
    """Fold the `sources` tags (and their children) into `target_name` (created when missing); returns it."""
    target = _clean_name(target_name, "target")
    for tag in sources:
        if tag.owner_id != owner.pk:
            raise ValidationFailed("Unknown tag.", fields={"source_ids": ["Unknown tag."]})
        if tag.name.lower() != target.lower():
            _retag(tag=tag, new=target)
    return sync.tags_get_or_create(owner=owner, names=[target])[target.lower()]
