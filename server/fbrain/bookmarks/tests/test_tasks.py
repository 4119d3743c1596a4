import time

import pytest

from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.tasks import capture_bookmark, check_bookmark_link, retry_countdown
from fbrain.bookmarks.tests.factories import make_bookmark
from fbrain.notes.models import Note


@pytest.fixture
def no_backoff(settings):
    """Retries at once; eager retries re-run inline instead of raising Retry to the caller (as a worker does)."""
    settings.CAPTURE_RETRY_BASE_SECONDS = 0.0
    conf = capture_bookmark.app.conf
    previous = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield settings
    conf.task_eager_propagates = previous


@pytest.mark.django_db
def test_capture_task_retries_transient_errors_then_captures(user, page_server, allow_local, no_backoff):
    bookmark = make_bookmark(owner=user, url=page_server.url("/flaky?key=a&fail=2&status=503"))
    capture_bookmark.delay(bookmark.pk)
    bookmark.refresh_from_db()
    assert bookmark.status == Bookmark.Status.CAPTURED
    assert bookmark.attempts == 3
    assert page_server.flaky["a"] == 3


@pytest.mark.django_db
def test_capture_task_gives_up_after_three_retries(user, page_server, allow_local, no_backoff):
    bookmark = make_bookmark(owner=user, url=page_server.url("/flaky?key=b&fail=99&status=429&retry_after=0"))
    capture_bookmark.delay(bookmark.pk)
    bookmark.refresh_from_db()
    assert bookmark.status == Bookmark.Status.FAILED
    assert bookmark.failure_code == "rate_limited"
    assert page_server.flaky["b"] == 4


@pytest.mark.django_db
def test_capture_task_fails_a_refused_address_at_once(user, settings, no_backoff):
    bookmark = make_bookmark(owner=user, url="http://169.254.169.254/latest/meta-data/")
    capture_bookmark.delay(bookmark.pk)
    bookmark.refresh_from_db()
    assert bookmark.status == Bookmark.Status.FAILED
    assert bookmark.failure_code == "refused_address"
    assert bookmark.attempts == 1
    assert "link-local" in bookmark.failure_reason


@pytest.mark.django_db
def test_check_link_task_marks_dead_links(user, page_server, allow_local):
    bookmark = make_bookmark(owner=user, url=page_server.url("/error?status=404"))
    Bookmark.objects.filter(pk=bookmark.pk).update(status=Bookmark.Status.CAPTURED)
    assert check_bookmark_link.delay(bookmark.pk).get() == "dead"


def test_retry_countdown_grows_with_jitter_and_honours_retry_after(settings):
    settings.CAPTURE_RETRY_BASE_SECONDS = 10.0
    for retries in range(3):
        assert 5 * 2**retries <= retry_countdown(retries, None) <= 10 * 2**retries
    assert retry_countdown(0, 120.0) == 120.0
    assert retry_countdown(10, None) == 300.0


@pytest.mark.celery_worker
def test_capture_goes_through_the_broker_to_a_real_worker(celery_worker, api_client, user, page_server, allow_local):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/bookmarks", {"url": page_server.url("/page")}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    note_id = response.json()["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = Bookmark.objects.get(pk=note_id).status
        if status != Bookmark.Status.PENDING:
            break
        time.sleep(0.1)
    assert Bookmark.objects.get(pk=note_id).status == Bookmark.Status.CAPTURED
    assert Note.objects.get(pk=note_id).title == "The Art of Linking Notes"
