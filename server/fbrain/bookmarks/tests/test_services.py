import pytest
from django.db import connection

from fbrain.bookmarks import services
from fbrain.bookmarks.fetcher import Fetcher, FetchError
from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.tests.factories import make_bookmark
from fbrain.core.errors import Conflict
from fbrain.notes import services as notes
from fbrain.notes.models import Note
from fbrain.notes.search import note_search
from fbrain.transfer.tests.helpers import make_note

pytestmark = pytest.mark.django_db


def local_fetcher():
    return Fetcher(allow_hosts=["127.0.0.1/32"])


def test_bookmark_create_makes_a_bookmark_note_with_tags(user):
    result = services.bookmark_create(owner=user, url="http://127.0.0.1:9/a", tags=["read/later"], note="See [[X]]")
    bookmark = result.bookmark
    assert result.created
    assert bookmark.note.kind == Note.Kind.BOOKMARK
    assert bookmark.note.title == "127.0.0.1/a"
    assert bookmark.placeholder_title == "127.0.0.1/a"
    assert [nt.tag.name for nt in bookmark.note.note_tags.all()] == ["read/later"]
    assert bookmark.note.outgoing_links.get().target_title == "X"


def test_bookmark_create_returns_the_existing_bookmark_for_the_same_url(user):
    first = services.bookmark_create(owner=user, url="http://127.0.0.1:9/a?utm_source=x").bookmark
    again = services.bookmark_create(owner=user, url="HTTP://127.0.0.1:9/a#top")
    assert not again.created
    assert again.bookmark.pk == first.pk
    assert Bookmark.objects.count() == 1


def test_bookmark_create_restores_a_trashed_bookmark(user):
    bookmark = make_bookmark(owner=user, url="http://127.0.0.1:9/t")
    notes.note_delete(note=bookmark.note)
    again = services.bookmark_create(owner=user, url="http://127.0.0.1:9/t")
    assert again.bookmark.note.deleted_at is None


def test_bookmark_create_gives_each_placeholder_a_free_title(user):
    make_note(owner=user, title="127.0.0.1/a")
    bookmark = services.bookmark_create(owner=user, url="http://127.0.0.1:9/a").bookmark
    assert bookmark.note.title == "127.0.0.1/a (2)"


def test_bookmark_create_with_a_taken_explicit_title_conflicts(user):
    make_note(owner=user, title="Taken")
    with pytest.raises(Conflict):
        services.bookmark_create(owner=user, url="http://127.0.0.1:9/b", title="Taken")


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("?og=Open+Graph+title", "Open Graph title"),
        ("", "The page's own title"),
        ("?title=0", "A headline, not the title"),
    ],
    ids=["og:title first", "then <title>", "then <h1>"],
)
def test_bookmark_capture_takes_the_title_the_page_declares(user, page_server, query, title):
    bookmark = make_bookmark(owner=user, url=page_server.url("/titled" + query))

    assert services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher()) == (
        "captured"
    )
    bookmark.refresh_from_db()
    assert bookmark.page_title == title
    assert Note.objects.get(pk=bookmark.pk).title == title


def test_bookmark_capture_fills_page_fields_title_and_search_text(user, page_server):
    bookmark = make_bookmark(owner=user, url=page_server.url("/page"))
    outcome = services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher())
    assert outcome == "captured"
    bookmark.refresh_from_db()
    assert bookmark.status == Bookmark.Status.CAPTURED
    assert bookmark.http_status == 200
    assert bookmark.page_title == "The Art of Linking Notes"
    assert bookmark.site_name == "Zettel Weekly"
    assert bookmark.canonical_url == page_server.url("/articles/linking")
    assert bookmark.fetched_at is not None
    note = Note.objects.get(pk=bookmark.pk)
    assert note.title == "The Art of Linking Notes"
    assert "Backlinks show where an idea" in note.extra_text
    # Running again has the effect of running once: the bookmark is no longer pending.
    assert services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher()) == "skipped"


def test_bookmark_capture_renames_and_indexes_in_one_note_write(user, page_server, django_assert_num_queries):
    bookmark = make_bookmark(owner=user, url=page_server.url("/page"))
    # Pending look-up, attempts; savepoint, bookmark and note (locked), note_update (savepoint, lock, revision,
    # update, unresolve, resolve, vector in a savepoint (Postgres), content stamp, release), bookmark update, release.
    with django_assert_num_queries(17 if connection.vendor == "postgresql" else 14):
        services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher())
    note = Note.objects.get(pk=bookmark.pk)
    assert (note.title, note.version, note.revisions.get().title) == ("The Art of Linking Notes", 2, "127.0.0.1/page")
    assert [hit.note.pk for hit in note_search(owner=user, query="serendipity").hits] == [note.pk]


def test_bookmark_capture_keeps_a_title_the_user_chose(user, page_server):
    bookmark = services.bookmark_create(owner=user, url=page_server.url("/page"), title="Mine").bookmark
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.PENDING)
    services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher())
    assert Note.objects.get(pk=bookmark.pk).title == "Mine"


def test_bookmark_capture_avoids_a_title_another_note_has(user, page_server):
    make_note(owner=user, title="The Art of Linking Notes")
    bookmark = make_bookmark(owner=user, url=page_server.url("/page"))
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.PENDING)
    services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher())
    assert Note.objects.get(pk=bookmark.pk).title == "The Art of Linking Notes (127.0.0.1)"


def test_bookmark_capture_records_permanent_failures_at_once(user, page_server):
    bookmark = make_bookmark(owner=user, url=page_server.url("/error?status=404"))
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.PENDING)
    assert services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher()) == "failed"
    bookmark.refresh_from_db()
    assert bookmark.status == Bookmark.Status.FAILED
    assert bookmark.failure_code == "http_error"
    assert "404" in bookmark.failure_reason
    assert bookmark.http_status == 404


def test_bookmark_capture_raises_transient_errors_until_the_final_attempt(user, page_server):
    bookmark = make_bookmark(owner=user, url=page_server.url("/error?status=503"))
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.PENDING)
    with pytest.raises(FetchError):
        services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher())
    assert services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=True, fetcher=local_fetcher()) == "failed"
    bookmark.refresh_from_db()
    assert bookmark.attempts == 2
    assert bookmark.failure_code == "server_error"


def test_bookmark_capture_keeps_metadata_only_for_other_types(user, page_server):
    bookmark = make_bookmark(owner=user, url=page_server.url("/pdf"))
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.PENDING)
    services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False, fetcher=local_fetcher())
    bookmark.refresh_from_db()
    assert (bookmark.status, bookmark.content_type, bookmark.text) == ("captured", "application/pdf", "")


def test_bookmark_capture_of_a_deleted_bookmark_does_nothing(user):
    assert services.bookmark_capture(bookmark_id=123456, final_attempt=True) == "skipped"
    assert services.bookmark_record_failure(bookmark_id=123456, error=FetchError("x", "y")) is None


def test_bookmark_check_link_marks_dead_and_alive(user, page_server):
    bookmark = make_bookmark(owner=user, url=page_server.url("/error?status=410"))
    assert services.bookmark_check_link(bookmark_id=bookmark.pk, fetcher=local_fetcher()) == "skipped"
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.CAPTURED)
    assert services.bookmark_check_link(bookmark_id=bookmark.pk, fetcher=local_fetcher()) == "dead"
    bookmark.refresh_from_db()
    assert bookmark.dead_since is not None
    assert bookmark.status == Bookmark.Status.CAPTURED
    Bookmark.objects.filter(pk=bookmark.pk).update(url=page_server.url("/page"))
    assert services.bookmark_check_link(bookmark_id=bookmark.pk, fetcher=local_fetcher()) == "alive"
    bookmark.refresh_from_db()
    assert bookmark.dead_since is None
    Bookmark.objects.filter(pk=bookmark.pk).update(url=page_server.url("/error?status=503"))
    assert services.bookmark_check_link(bookmark_id=bookmark.pk, fetcher=local_fetcher()) == "unknown"
    assert services.bookmark_check_link(bookmark_id=999999) == "skipped"


def test_capture_disabled_fails_at_once_without_fetching(user, page_server, settings):
    settings.CAPTURE_ENABLED = False
    bookmark = make_bookmark(owner=user, url=page_server.url("/page"))
    assert services.bookmark_capture(bookmark_id=bookmark.pk, final_attempt=False) == "failed"
    bookmark.refresh_from_db()
    assert bookmark.failure_code == "disabled"
    assert "CAPTURE_ENABLED" in bookmark.failure_reason
    assert services.bookmark_check_link(bookmark_id=bookmark.pk) == "skipped"
    assert page_server.requests == []


def test_bookmark_create_losing_a_race_returns_the_winner(user, monkeypatch):
    winner = make_bookmark(owner=user, url="http://127.0.0.1:9/race")
    real_filter = Bookmark.objects.filter
    calls = []

    def first_lookup_misses(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return Bookmark.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Bookmark.objects, "filter", first_lookup_misses)
    result = services.bookmark_create(owner=user, url="http://127.0.0.1:9/race", title="Another title")
    assert not result.created
    assert result.bookmark.pk == winner.pk
    assert not Note.objects.filter(title="Another title").exists()


def test_bookmark_create_gives_over_fifty_pages_of_one_placeholder_distinct_titles(user, django_assert_max_num_queries):
    # Distinct URLs, one placeholder ("host/path"): past 50 the old look-up fell back to a clashing title.
    for number in range(120):
        result = services.bookmark_create(owner=user, url=f"http://127.0.0.1:9/search?q={number}")
        assert result.created
    titles = list(Note.objects.filter(owner=user).values_list("title", flat=True))
    assert len(set(titles)) == 120
    assert {"127.0.0.1/search", "127.0.0.1/search (2)", "127.0.0.1/search (120)"} <= set(titles)
    # A taken placeholder costs one look-up for all its variants, however many there are (and a savepoint).
    with django_assert_max_num_queries(14):
        assert services.bookmark_create(owner=user, url="http://127.0.0.1:9/search?q=last").created
    assert Note.objects.filter(title="127.0.0.1/search (121)").exists()


def test_free_title_tries_the_host_then_fills_the_lowest_free_number(user):
    for title in ["Same page", "Same page (example.test)", "Same page (2)", "Same page (4)", "same page (3)"]:
        make_note(owner=user, title=title)
    assert services._free_title(user.pk, "Other", host="example.test") == "Other"
    assert services._free_title(user.pk, "Same page", host="example.test") == "Same page (5)"
    notes.note_delete(note=Note.objects.get(title="Same page (4)"))
    assert services._free_title(user.pk, "Same page", host="example.test") == "Same page (4)"
    assert services._free_title(user.pk, "Same page") == "Same page (4)"
    # Wildcards in the title are literal characters, not LIKE patterns.
    make_note(owner=user, title="50% off (2)")
    assert services._free_title(user.pk, "50_ off") == "50_ off"


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookmarks_with_one_placeholder_never_conflict(user):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def save(number: int) -> bool:
        try:
            return services.bookmark_create(owner=user, url=f"http://127.0.0.1:9/same?n={number}").created
        finally:
            connection.close()

    # Eight saves at a time race for the same lowest free number; the losers take the next ones.
    try:
        with ThreadPoolExecutor(8) as pool:
            created = list(pool.map(save, range(80)))
    finally:
        # Concurrent eager tasks race on Celery's process-wide "join would block" flag (Task.apply saves and
        # restores it unlocked) and can leave it set, which breaks every later EagerResult.get(): reset it.
        from celery._state import _set_task_join_will_block  # type: ignore[attr-defined]

        _set_task_join_will_block(False)
    assert all(created)
    titles = list(Note.objects.filter(owner=user).values_list("title", flat=True))
    assert len(titles) == len({title.lower() for title in titles}) == 80
