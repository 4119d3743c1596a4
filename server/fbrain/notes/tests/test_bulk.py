"""notes_bulk_create writes the rows note_create writes, refuses what it refuses, in a fixed number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fbrain.core.errors import Conflict
from fbrain.notes import services
from fbrain.notes.models import Link, Note
from fbrain.notes.search import note_search
from fbrain.notes.services import NewNote, sync

pytestmark = pytest.mark.django_db


def _user(name: str) -> User:
    return User.objects.create_user(username=name, password="correct-horse-battery")


WHEN = dt.datetime(2023, 4, 5, 6, 7, 8, tzinfo=dt.UTC)

NEW = [
    NewNote(
        title="Alpha",
        body="---\ntags: [project/x, Shared]\naliases: [First, A]\n---\nSee [[Beta]], [[beta#Part|b]] and "
        "![[Gamma]]. [[Existing]] [[Nowhere]] #shared #inline `[[not a link]] #nope`",
        tags=["explicit", "inline"],
        created_at=WHEN,
    ),
    NewNote(title="Beta", body="Back to [[alpha]] and itself [[Beta]]. #Shared", updated_at=WHEN),
    NewNote(title="  Gamma  ", body="plain zebra words"),
]


def _snapshot(owner):
    """Everything note_create derives for the owner's notes, by title, without ids."""
    rows = {}
    for note in Note.objects.filter(owner=owner).order_by("title"):
        tags = sorted((nt.tag.name, nt.explicit) for nt in note.note_tags.select_related("tag"))
        links = sorted(
            (link.target_title, link.alias, link.heading, link.embed, link.target.title if link.target else None)
            for link in Link.objects.filter(source=note).select_related("target")
        )
        vector = None
        if connection.vendor == "postgresql":  # SQLite keeps no search vector
            with connection.cursor() as cursor:
                cursor.execute("SELECT search_vector::text FROM notes_note WHERE id = %s", [note.pk])
                vector = cursor.fetchone()[0]
        rows[note.title] = (note.body, note.aliases, note.kind, note.version, tags, links, vector)
    return rows


def _seed(owner):
    existing = services.note_create(owner=owner, title="Existing", body="links [[Gamma]] and [[Nowhere else]]")
    return existing


def test_bulk_create_writes_what_note_create_writes():
    one_by_one, bulk = _user("one"), _user("bulk")
    _seed(one_by_one)
    _seed(bulk)
    for new in NEW:
        services.note_create(
            owner=one_by_one,
            title=new.title,
            body=new.body,
            tags=new.tags,
            created_at=new.created_at,
            updated_at=new.updated_at,
        )
    created = services.notes_bulk_create(owner=bulk, notes=NEW)

    assert [note.title if note else None for note in created] == ["Alpha", "Beta", "Gamma"]
    assert _snapshot(bulk) == _snapshot(one_by_one)
    alpha = Note.objects.get(owner=bulk, title="Alpha")
    assert (alpha.created_at, alpha.updated_at) == (WHEN, WHEN)
    # A link to a note later in the batch, and a pending link of an older note, both resolve.
    assert Link.objects.filter(source=alpha, target_title="Beta").values_list("target__title", flat=True)[0] == "Beta"
    assert Link.objects.get(source__title="Existing", source__owner=bulk, target_title="Gamma").target_id


def test_bulk_created_notes_are_found_by_search_and_tags():
    owner = _user("owner")
    services.notes_bulk_create(owner=owner, notes=NEW)
    if connection.vendor == "postgresql":
        assert [hit.note.title for hit in note_search(owner=owner, query="zebra").hits] == ["Gamma"]
        assert [hit.note.title for hit in note_search(owner=owner, query="project").hits] == ["Alpha"]
    tagged = Note.objects.filter(owner=owner, note_tags__tag__name__iexact="shared").order_by("title")
    assert [note.title for note in tagged] == ["Alpha", "Beta"]


@pytest.mark.parametrize(
    "refused",
    [
        NewNote(title="Existing"),
        NewNote(title="alpha"),
        NewNote(title="   "),
        NewNote(title="Bad\ttitle"),
        NewNote(title="x" * 201),
        NewNote(title="Nul", body="a\x00b"),
        NewNote(title="Yaml", body="---\nkey: [unclosed\n---\ntext"),
        NewNote(title="Tag", tags=["not a tag"]),
    ],
    ids=lambda new: new.title[:10],
)
def test_bulk_create_leaves_out_what_note_create_refuses(refused):
    owner = _user("owner")
    _seed(owner)
    created = services.notes_bulk_create(owner=owner, notes=[NEW[0], refused, NEW[2]])
    assert created[1] is None
    assert [note.title for note in created if note] == ["Alpha", "Gamma"]
    assert Note.objects.filter(owner=owner).count() == 3


def _queries(owner, count, offset):
    notes = [
        NewNote(
            title=f"Note {offset + index}",
            body=f"[[Note {offset + index + 1}]] [[Note {offset + index - 7}]] [[Missing {index}]] #t{index % 5}",
            tags=[f"e{index % 3}"],
        )
        for index in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        created = services.notes_bulk_create(owner=owner, notes=notes)
    assert all(created)
    return len(queries)


def test_bulk_create_costs_the_same_queries_for_10_or_200_notes():
    owner = _user("owner")
    _seed(owner)
    small = _queries(owner, 10, 0)
    large = _queries(owner, 200, 10)
    # title check, notes, tags (read + create + re-read), note tags, link targets, links, pending links,
    # search vectors (+ its savepoint), the content stamp, the function's own savepoint. SQLite binds at most
    # 999 parameters per statement, so Django splits the bulk INSERTs of 200 notes into a few (not one per note).
    assert small <= 15
    assert large <= (15 if connection.vendor == "postgresql" else 21)


def test_bulk_create_writes_nothing_when_the_database_finds_two_titles_equal():
    owner = _user("owner")
    with connection.cursor() as cursor:
        cursor.execute("SELECT lower(%s) = lower(%s)", ["İx", "ix"])
        if not cursor.fetchone()[0]:
            pytest.skip("this database's lower() keeps İ apart from i")
    with pytest.raises(Conflict):
        services.notes_bulk_create(owner=owner, notes=[NewNote(title="ix"), NewNote(title="İx")])
    assert not Note.objects.filter(owner=owner).exists()


@pytest.mark.postgres_only("Postgres full-text search")
def test_a_long_note_in_a_batch_is_indexed_as_far_as_note_create_indexes_it():
    owner = _user("owner")
    long_body = "filler " * 6000 + "needle"
    assert len(long_body) > sync.SEARCH_TEXT_CHARS_FALLBACK
    services.notes_bulk_create(owner=owner, notes=[NewNote(title="Long", body=long_body), NEW[2]])
    assert [hit.note.title for hit in note_search(owner=owner, query="needle").hits] == ["Long"]
