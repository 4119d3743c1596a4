"""The search index follows every write, on both backends: create, edit, tags, trash, restore, purge, imports."""

import pytest
from django.db import connection

from fbrain.notes import services
from fbrain.notes.models import Tag
from fbrain.notes.search import note_search
from fbrain.notes.services import NewNote

pytestmark = pytest.mark.django_db


def found(owner, query):
    return sorted(hit.note.title for hit in note_search(owner=owner, query=query).hits)


def test_index_follows_title_and_body_edits(user):
    note = services.note_create(owner=user, title="Apricot jam", body="boil the fruit")
    assert found(user, "apricot") == ["Apricot jam"] and found(user, "boil") == ["Apricot jam"]
    note = services.note_update(note=note, title="Plum jam")
    assert found(user, "apricot") == [] and found(user, "plum") == ["Plum jam"]
    services.note_update(note=note, body="simmer slowly")
    assert found(user, "boil") == [] and found(user, "simmer") == ["Plum jam"]


def test_index_follows_tag_changes(user):
    note = services.note_create(owner=user, title="Jam", body="text", tags=["pantry"])
    assert found(user, "pantry") == ["Jam"]
    note = services.note_update(note=note, tags=["cellar"])
    assert found(user, "pantry") == [] and found(user, "cellar") == ["Jam"]
    note = services.note_update(note=note, body="text #larder")
    assert found(user, "larder") == ["Jam"]
    services.note_update(note=note, body="text", tags=[])
    assert found(user, "larder") == [] and found(user, "cellar") == []


def test_index_follows_tag_rename_and_merge(user):
    services.note_create(owner=user, title="Jam", body="#fruit #fruit/red preserve")
    services.note_create(owner=user, title="Plain", body="no tags", tags=["stone"])
    services.tag_rename(tag=Tag.objects.get(owner=user, name="fruit"), name="berries")
    assert found(user, "fruit") == [] and found(user, "berries") == ["Jam"]
    assert found(user, "berries/red") == ["Jam"]
    services.tag_merge(owner=user, sources=[Tag.objects.get(owner=user, name="stone")], target_name="rock")
    assert found(user, "stone") == [] and found(user, "rock") == ["Plain"]


def test_index_follows_trash_restore_and_purge(user):
    note = services.note_create(owner=user, title="Quince", body="paste")
    services.note_delete(note=note)
    assert found(user, "quince") == []
    services.note_restore(note=note)
    assert found(user, "quince") == ["Quince"]
    services.note_delete(note=note)
    services.note_purge(note=note)
    assert found(user, "quince") == []
    again = services.note_create(owner=user, title="Quince", body="jelly")
    assert found(user, "paste") == [] and found(user, "jelly") == ["Quince"] and again.pk != note.pk
    services.note_delete(note=again)
    assert services.trash_empty(owner=user) == 1 and found(user, "jelly") == []


def test_index_follows_extra_text(user):
    note = services.note_create(owner=user, title="Page", kind="bookmark")
    services.note_set_extra_search_text(note=note, text="lava flows")
    assert found(user, "lava") == ["Page"]
    services.note_set_extra_search_text(note=note, text="ash clouds")
    assert found(user, "lava") == [] and found(user, "ash") == ["Page"]


def test_index_follows_bulk_creation(user):
    created = services.notes_bulk_create(
        owner=user,
        notes=[
            NewNote(title="Imported one", body="ferment cabbage #kitchen"),
            NewNote(title="Imported two", body="x" * 40_000 + " ferment late", tags=["cellar"]),
        ],
    )
    assert all(created)
    assert found(user, "ferment") == ["Imported one", "Imported two"]
    assert found(user, "kitchen") == ["Imported one"] and found(user, "cellar") == ["Imported two"]


def test_fts_tables_exist_on_sqlite_only():
    tables = set(connection.introspection.table_names())
    expected = {"notes_note_fts", "notes_note_title_fts"} if connection.vendor == "sqlite" else set()
    assert {"notes_note_fts", "notes_note_title_fts"} & tables == expected
