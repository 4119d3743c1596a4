import datetime as dt

import pytest
from django.utils import timezone

from fbrain.core.tests.factories import UserFactory
from fbrain.notes import services
from fbrain.notes.search import note_search, parse_query
from fbrain.notes.search.postgres import to_tsquery_text
from fbrain.notes.search.snippets import simple_snippet, snippet_html

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.postgres_only("Postgres full-text search")


def titles(result):
    return [hit.note.title for hit in result.hits]


@pytest.fixture
def vault(user):
    services.note_create(owner=user, title="Réunion d'équipe", body="Le budget de l'été est validé. #travail/projet")
    services.note_create(owner=user, title="Meeting notes", body="We discussed the quarterly budget and hiring.")
    services.note_create(owner=user, title="Recipe", body="Crème brûlée: sugar, cream, eggs.", pinned=True)
    services.note_create(owner=UserFactory(), title="Secret budget", body="budget réunion crème")
    return user


def test_parse_query_syntax():
    parsed = parse_query('alpha "exact phrase" -gone OR kept -"not this" l\'été')
    assert to_tsquery_text(parsed) == (
        "('alpha':*) & (('exact' <-> 'phrase')) & (!'gone':* | 'kept':*) & (!('not' <-> 'this')) & (('l' <-> 'été'))"
    )
    assert parse_query("OR -").is_empty()
    assert parse_query('"unterminated phrase').groups[0][0].phrase


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("reunion", ["Réunion d'équipe"], marks=postgres_only),
        pytest.param("EQUIPE", ["Réunion d'équipe"], marks=postgres_only),
        pytest.param("creme", ["Recipe"], marks=postgres_only),
        ("budg", ["Meeting notes", "Réunion d'équipe"]),
        ('"quarterly budget"', ["Meeting notes"]),
        ('"budget quarterly"', []),
        ("budget -hiring", ["Réunion d'équipe"]),
        ("recipe OR meeting", ["Meeting notes", "Recipe"]),
        ("projet", ["Réunion d'équipe"]),
        ("nothingmatches", []),
    ],
)
def test_note_search_matches(vault, query, expected):
    assert sorted(titles(note_search(owner=vault, query=query))) == sorted(expected)


def test_note_search_filters(vault):
    assert titles(note_search(owner=vault, query="budget", tag="travail")) == ["Réunion d'équipe"]
    assert titles(note_search(owner=vault, query="sugar", pinned=True)) == ["Recipe"]
    assert titles(note_search(owner=vault, query="sugar", pinned=False)) == []
    later = timezone.now() + dt.timedelta(days=1)
    assert titles(note_search(owner=vault, query="budget", updated_from=later)) == []
    assert len(note_search(owner=vault, query="budget", updated_to=later).hits) == 2
    assert titles(note_search(owner=vault, query="budget", kind="bookmark")) == []


def test_note_search_snippets_are_escaped_with_marks(user):
    services.note_create(owner=user, title="X", body="Tom & Jerry: keyword <script>x</script>")
    snippet = note_search(owner=user, query="keyword").hits[0].snippet
    assert "<mark>keyword</mark>" in snippet and "<script" not in snippet
    assert snippet_html("a < b \ue000c\ue001") == "a &lt; b <mark>c</mark>"


@postgres_only
def test_note_search_title_weighs_more_than_body(user):
    services.note_create(owner=user, title="Gardening", body="plants")
    services.note_create(owner=user, title="Other", body="a note about gardening")
    assert titles(note_search(owner=user, query="gardening"))[0] == "Gardening"


@postgres_only
def test_note_search_prefers_recent_notes_on_equal_relevance(user):
    old = services.note_create(
        owner=user, title="Old", body="topic", updated_at=timezone.now() - dt.timedelta(days=400)
    )
    services.note_create(owner=user, title="New", body="topic")
    assert old.updated_at < timezone.now()
    assert titles(note_search(owner=user, query="topic")) == ["New", "Old"]


@postgres_only
def test_note_search_falls_back_to_fuzzy_titles(vault):
    result = note_search(owner=vault, query="meetng")
    assert result.fuzzy and titles(result) == ["Meeting notes"]
    assert not note_search(owner=vault, query="meetng -x").hits


@postgres_only
def test_note_search_finds_bookmark_extra_text(user):
    note = services.note_create(owner=user, title="Link", kind="bookmark")
    services.note_set_extra_search_text(note=note, text="extracted article about volcanoes")
    assert titles(note_search(owner=user, query="volcano")) == ["Link"]


def test_note_search_empty_query(user):
    result = note_search(owner=user, query="  -  ")
    assert result.count == 0 and result.hits == []


def test_note_search_pages(user):
    for index in range(5):
        services.note_create(owner=user, title=f"Item {index}", body="shared")
    first = note_search(owner=user, query="shared", limit=2)
    third = note_search(owner=user, query="shared", offset=4, limit=2)
    assert first.count == 5 and len(first.hits) == 2 and len(third.hits) == 1


def test_like_fallback_matches_the_same_syntax(vault):
    from fbrain.notes.search import _filtered
    from fbrain.notes.search.sqlite import search as _fallback_search

    def like(query):
        return sorted(hit.note.title for hit in _fallback_search(_filtered(vault, {}), parse_query(query), 0, 10).hits)

    assert like("budget") == ["Meeting notes", "Réunion d'équipe"]
    assert like("budget -hiring") == ["Réunion d'équipe"]
    assert like('"quarterly budget"') == ["Meeting notes"]
    assert like("recipe OR meeting") == ["Meeting notes", "Recipe"]
    assert like("projet") == ["Réunion d'équipe"]
    snippet = _fallback_search(_filtered(vault, {}), parse_query("sugar"), 0, 10).hits[0].snippet
    assert "<mark>sugar</mark>" in snippet


def test_simple_snippet_windows_and_escapes():
    body = "x" * 300 + " <b>needle</b> " + "y" * 300
    snippet = simple_snippet(body, ["needle"])
    assert snippet.startswith("… ") and "<mark>needle</mark>" in snippet and "&lt;b&gt;" in snippet
    assert simple_snippet("no match here", ["zzz"]) == "no match here"
