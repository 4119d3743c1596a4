"""Search cost stays bounded: the count stops at a cap and ranking looks at the freshest matches only."""

import pytest

from fbrain.notes import services
from fbrain.notes.search import note_search
from fbrain.notes.search import postgres as search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only("Postgres full-text search"),
]


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    monkeypatch.setattr(search, "FUZZY_WINDOW", 2)
    monkeypatch.setattr(search, "PROBE_NOTES", 2)


def test_note_search_count_stops_at_the_cap(user, small_bounds):
    for index in range(5):
        services.note_create(owner=user, title=f"Item {index}", body="shared word")
    result = note_search(owner=user, query="shared", limit=2)
    assert result.count == 3 and not result.count_exact
    # Ranking only the freshest matches: the newest notes come first.
    assert [hit.note.title for hit in result.hits] == ["Item 4", "Item 3"]


def test_note_search_count_is_exact_below_the_cap(user, small_bounds):
    for index in range(3):
        services.note_create(owner=user, title=f"Item {index}", body="shared word")
    result = note_search(owner=user, query="shared")
    assert result.count == 3 and result.count_exact and len(result.hits) == 3


def test_note_search_deep_page_past_the_window_still_answers(user, small_bounds):
    for index in range(6):
        services.note_create(owner=user, title=f"Item {index}", body="shared word")
    result = note_search(owner=user, query="shared", offset=4, limit=2)
    # The cap and the window grow with the page asked for, so "next page" stays truthful.
    assert result.count == 6 and result.count_exact
    assert len(result.hits) == 2


def test_note_search_fuzzy_count_stops_at_the_window(user, small_bounds):
    for index in range(4):
        services.note_create(owner=user, title=f"Meeting {index}", body="x")
    result = note_search(owner=user, query="meetng", limit=1)
    assert result.fuzzy and result.count == 2 and not result.count_exact
    assert len(result.hits) == 1


def test_note_search_ranks_the_freshest_matches_when_they_fill_the_page(user, small_bounds, monkeypatch):
    monkeypatch.setattr(search, "PROBE_NOTES", 4)
    for index in range(6):
        services.note_create(owner=user, title=f"Item {index}", body="shared word")
    result = note_search(owner=user, query="shared", limit=2)
    # Found among the 4 freshest notes, stopped after a page and one more: a lower bound.
    assert result.count == 3 and not result.count_exact
    assert {hit.note.title for hit in result.hits} <= {"Item 5", "Item 4", "Item 3"}


def test_note_search_count_is_exact_when_the_probe_saw_every_note(user):
    for index in range(3):
        services.note_create(owner=user, title=f"Item {index}", body="shared word")
    result = note_search(owner=user, query="shared", limit=2)
    assert result.count == 3 and result.count_exact and len(result.hits) == 2


def test_search_api_says_whether_the_count_is_exact(api_client, user):
    from fbrain.notes import services

    services.note_create(owner=user, title="Only one", body="needle")
    api_client.force_authenticate(user)
    body = api_client.get("/api/v1/search/?q=needle").json()
    assert body["count"] == 1
    assert body["count_exact"] is True
