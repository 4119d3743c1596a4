import time

import pytest
from django.db import transaction

from fbrain.bookmarks import tasks
from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.tasks import capture_bookmark, check_bookmark_link, retry_countdown
from fbrain.bookmarks.tests.factories import make_bookmark
from fbrain.notes.models import Note


@pytest.fixture
def no_backoff(settings):
    """Retries at once (eager mode, as configured: errors propagate to the caller)."""
    settings.CAPTURE_RETRY_BASE_SECONDS = 0.0
    assert capture_bookmark.app.conf.task_eager_propagates
    return settings


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


# Embedded mode: the capture runs eagerly inside the request that saved the bookmark, after its commit.
@pytest.fixture
def signed_in(api_client, user, allow_local):
    api_client.force_authenticate(user)
    return api_client


def _save(client, url: str) -> dict:
    response = client.post("/api/v1/bookmarks", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    return client.get(f"/api/v1/bookmarks/{response.json()['id']}").json()


@pytest.mark.django_db(transaction=True)
def test_eager_capture_of_a_page_that_always_answers_500_ends_failed_not_a_500(signed_in, page_server, no_backoff):
    assert not transaction.get_connection().in_atomic_block  # on_commit runs inside the request, as served
    detail = _save(signed_in, page_server.url("/flaky?key=e&fail=99&status=500"))
    assert (detail["status"], detail["failure_code"], detail["http_status"]) == ("failed", "server_error", 500)
    assert page_server.flaky["e"] == tasks.MAX_RETRIES + 1


@pytest.mark.django_db(transaction=True)
def test_eager_capture_retries_a_flaky_page_until_it_is_captured(signed_in, page_server, no_backoff):
    detail = _save(signed_in, page_server.url("/flaky?key=f&fail=2&status=503"))
    assert detail["status"] == "captured"
    assert detail["title"] == "The Art of Linking Notes"
    assert page_server.flaky["f"] == 3


@pytest.mark.django_db(transaction=True)
def test_eager_capture_waits_are_bounded_even_when_the_page_asks_for_minutes(
    signed_in, page_server, no_backoff, monkeypatch
):
    monkeypatch.setattr(tasks, "EAGER_RETRY_MAX_SECONDS", 0.1)
    started = time.monotonic()
    detail = _save(signed_in, page_server.url("/flaky?key=g&fail=99&status=429&retry_after=120"))
    assert time.monotonic() - started < 5
    assert (detail["status"], detail["failure_code"]) == ("failed", "rate_limited")
    assert page_server.flaky["g"] == tasks.MAX_RETRIES + 1


@pytest.mark.django_db(transaction=True)
def test_eager_capture_of_a_page_that_times_out_stops_retrying_after_its_budget(
    signed_in, page_server, no_backoff, monkeypatch, settings
):
    settings.CAPTURE_TIMEOUT_SECONDS = 0.3
    monkeypatch.setattr(tasks, "EAGER_BUDGET_SECONDS", 0.5)
    detail = _save(signed_in, page_server.url("/slow?s=2"))
    assert (detail["status"], detail["failure_code"]) == ("failed", "timeout")
    bookmark = Bookmark.objects.get(pk=detail["id"])
    assert 2 <= bookmark.attempts < tasks.MAX_RETRIES + 1
