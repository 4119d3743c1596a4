"""The embedded mode's engine (SQLite FTS5): query compilation, rarity in ranking, the typo fallback, the index
rows kept in step with the notes, and rebuild_index."""

import pytest
from django.contrib.auth.models import User
from django.db import connection

from fbrain.notes import services
from fbrain.notes.models import Note
from fbrain.notes.search import note_search, parse_query
from fbrain.notes.search import sqlite as engine
from fbrain.notes.services import NewNote

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5, the embedded mode's engine"),
]


def titles(result):
    return [hit.note.title for hit in result.hits]


def fts_rows(table="notes_note_fts"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid")  # noqa: S608 - test constant
        return cursor.fetchall()


def compiled(text):
    query = engine.to_fts_query(parse_query(text))
    assert query is not None
    return query


def test_queries_compile_to_quoted_fts5_terms():
    query = compiled('alpha "exact phrase" -gone l\'été AND NEAR:* _')
    assert query.match == '(("alpha"*) AND ("exact phrase") AND ("l été") AND ("AND"*) AND ("NEAR"*)) NOT ("gone"*)'
    assert query.where == []
    mixed = compiled("-gone OR kept")
    assert mixed.match is None and mixed.params == ['"gone"*', '"kept"*'] and "NOT IN" in mixed.where[0]
    assert compiled("-a OR -b").params == ['("a"* AND "b"*)']
    assert engine.to_fts_query(parse_query("_ __")) is None


def test_rare_terms_weigh_more_than_frequent_ones(user):
    for index in range(8):
        services.note_create(owner=user, title=f"Common {index}", body="shared filler text")
    services.note_create(owner=user, title="Many", body="shared shared shared shared filler")
    services.note_create(owner=user, title="Rare", body="zeppelin filler text")
    assert titles(note_search(owner=user, query="shared OR zeppelin"))[0] == "Rare"


def test_typo_fallback_corrects_each_unknown_word(user):
    services.note_create(owner=user, title="Meeting notes", body="quarterly plans")
    services.note_create(owner=user, title="Kitchen", body="plans for shelves")
    assert titles(note_search(owner=user, query="emeting")) == ["Meeting notes"]
    assert titles(note_search(owner=user, query="notse plans")) == ["Meeting notes"]
    # Known words stay as they are (prefixes included); a typo typed so far also counts.
    assert titles(note_search(owner=user, query="quart meetn")) == ["Meeting notes"]
    # Too short to correct, or nothing close: no fallback.
    result = note_search(owner=user, query="mx")
    assert not result.hits and not result.fuzzy
    assert not note_search(owner=user, query="zzzzzz").fuzzy


def test_typo_fallback_reads_a_bounded_part_of_the_vocabulary(user, monkeypatch, django_assert_max_num_queries):
    services.note_create(owner=user, title="Meadow meander meeting", body="")
    monkeypatch.setattr(engine, "FUZZY_SCAN_TERMS", 2)
    # Two terms read from "me…": "meadow" and "meander", neither close to "meetng".
    assert not note_search(owner=user, query="meetng").hits
    monkeypatch.setattr(engine, "FUZZY_SCAN_TERMS", 3)
    # Search, then per word: its own prefix, two vocabulary ranges; the corrected search, its page, tags.
    with django_assert_max_num_queries(8):
        assert note_search(owner=user, query="meetng").fuzzy


def test_index_rows_follow_every_write(user):
    note = services.note_create(owner=user, title="First", body="one #tagged")
    other = User.objects.create_user(username="other")
    services.note_create(owner=other, title="Theirs", body="two")
    services.notes_bulk_create(owner=user, notes=[NewNote(title="Bulk", body="three")])
    assert fts_rows()[0] == (note.pk, "First", "tagged", "one #tagged", "")
    services.note_update(note=note, title="Renamed", tags=["extra"])
    assert fts_rows()[0][1] == "Renamed" and sorted(fts_rows()[0][2].split()) == ["extra", "tagged"]
    services.note_delete(note=note)
    assert len(fts_rows()) == 3  # trashed notes keep their row; searches skip them
    services.note_purge(note=note)
    other.delete()
    ids = sorted(Note.objects.values_list("pk", flat=True))
    assert [row[0] for row in fts_rows()] == ids == [row[0] for row in fts_rows("notes_note_title_fts")]


def test_rebuild_index_gives_the_same_results(user):
    services.note_create(owner=user, title="Réunion", body="budget de l'été #travail", tags=["équipe"])
    services.note_create(owner=user, title="Budget", body="quarterly budget and hiring")
    services.note_create(owner=user, title="Gone", body="budget")
    services.note_delete(note=Note.objects.get(title="Gone"))
    queries = ["budget", "equipe", "ete", "travail", '"quarterly budget"', "budget -hiring", "budgte"]

    def answers():
        return [
            [(hit.note.title, round(hit.score, 6), hit.snippet) for hit in note_search(owner=user, query=q).hits]
            for q in queries
        ]

    live = answers()
    assert all(live[:-1]) and live[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notes_note_fts")
        cursor.execute("DELETE FROM notes_note_title_fts")
    assert not any(answers())
    calls = []
    assert engine.rebuild_index(progress=lambda done, total: calls.append((done, total))) == 3
    assert calls == [(3, 3)]
    assert answers() == live


def test_rebuild_index_reports_progress_per_batch(user, monkeypatch):
    monkeypatch.setattr(engine, "REBUILD_BATCH", 2)
    services.notes_bulk_create(owner=user, notes=[NewNote(title=f"N{index}", body="word") for index in range(5)])
    calls = []
    assert engine.rebuild_index(progress=lambda done, total: calls.append((done, total))) == 5
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert len(note_search(owner=user, query="word").hits) == 5


def test_a_filter_that_matches_nothing_answers_an_empty_page(user):
    services.note_create(owner=user, title="Word", body="word")
    notes = Note.objects.filter(owner=user, pk__in=[])
    assert engine.search(notes, parse_query("word"), 0, 20).hits == []
