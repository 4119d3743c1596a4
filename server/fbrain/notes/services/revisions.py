"""Writes on revisions: bring a note back to an earlier title and body."""

from __future__ import annotations

from fbrain.notes.models import Note, Revision
from fbrain.notes.services.notes import note_update


def revision_restore(*, revision: Revision, expected_version: int | None = None) -> Note:
    """Make the revision's title and body current again, as a new version (the current text becomes a revision).

    Same errors as `note_update` (StaleVersion, duplicate title Conflict, NotFound when the note is trashed).
    """
    return note_update(note=revision.note, expected_version=expected_version, title=revision.title, body=revision.body)
