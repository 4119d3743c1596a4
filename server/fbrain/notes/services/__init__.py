"""Writes of the knowledge base; every public service is importable from here.

Stable signatures (used by the API, the browser UI, bookmarks and import/export):

    note_create(*, owner, title, body="", kind="note", pinned=False, archived=False, tags=None,
                created_at=None, updated_at=None) -> Note
    note_update(*, note, expected_version=None, title=None, body=None, kind=None, pinned=None,
                archived=None, tags=None, rewrite_links=False, updated_at=None) -> Note
    note_delete(*, note, expected_version=None) -> Note        # to the trash
    note_restore(*, note) -> Note                              # out of the trash
    note_purge(*, note) -> None                                # a trashed note, for good
    trash_empty(*, owner) -> int
    note_rewrite_links(*, note, old_title) -> int
    note_set_extra_search_text(*, note, text) -> None
    revision_restore(*, revision, expected_version=None) -> Note
    tag_rename(*, tag, name) -> Tag
    tag_merge(*, owner, sources, target_name) -> Tag
    tags_get_or_create(*, owner, names) -> dict[str, Tag]
    notes_bulk_create(*, owner, notes: Sequence[NewNote]) -> list[Note | None]   # imports: many at once
"""

from fbrain.notes.services.bulk import NewNote, notes_bulk_create
from fbrain.notes.services.notes import (
    StaleVersion,
    note_create,
    note_delete,
    note_purge,
    note_restore,
    note_rewrite_links,
    note_set_extra_search_text,
    note_update,
    trash_empty,
)
from fbrain.notes.services.revisions import revision_restore
from fbrain.notes.services.sync import tags_get_or_create, update_search_vectors
from fbrain.notes.services.tags import tag_merge, tag_rename

__all__ = [
    "NewNote",
    "StaleVersion",
    "note_create",
    "note_delete",
    "note_purge",
    "note_restore",
    "note_rewrite_links",
    "note_set_extra_search_text",
    "note_update",
    "notes_bulk_create",
    "revision_restore",
    "tag_merge",
    "tag_rename",
    "tags_get_or_create",
    "trash_empty",
    "update_search_vectors",
]
