"""The API's lean note reads (plain `.values()` rows) answer exactly what the serializers would."""

import pytest

from fbrain.notes import selectors
from fbrain.notes import serializers as s
from fbrain.notes.tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body", ["", "#one #two/three [[Elsewhere]]", "---\naliases: [Other name]\ntags: [front]\n---\nText"]
)
def test_lean_reads_match_the_serializers(user, body):
    note = NoteFactory.create(owner=user, title="Shape", body=body, tags=["zeta", "Alpha"])
    full = selectors.note_get(owner=user, note_id=note.pk)
    row = selectors.note_data(owner=user, note_id=note.pk)
    assert s.note_detail(row) == dict(s.NoteOutput(full).data)
    listed = selectors.attach_tag_names(list(selectors.note_rows(owner=user)))
    assert [s.note_list_item(item) for item in listed] == [dict(s.NoteListItemOutput(full).data)]


def test_other_time_zones_read_like_the_serializers(user, settings):
    settings.TIME_ZONE = "Europe/Paris"
    note = NoteFactory.create(owner=user)
    row = selectors.note_data(owner=user, note_id=note.pk)
    assert (
        s.note_detail(row)["updated_at"]
        == s.NoteOutput(selectors.note_get(owner=user, note_id=note.pk)).data["updated_at"]
    )
    assert s.note_detail(row)["updated_at"].endswith("+01:00")
