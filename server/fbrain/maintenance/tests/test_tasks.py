import datetime as dt
import os
import threading
import time

import pytest
from django.utils import timezone

from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.tests.factories import make_bookmark
from fbrain.core import business_metrics as bm
from fbrain.maintenance import tasks
from fbrain.maintenance.locks import LOCKED, periodic, task_lock
from fbrain.maintenance.models import PeriodicRun
from fbrain.notes import services as notes
from fbrain.notes.models import Note
from fbrain.transfer import services as transfer
from fbrain.transfer.models import Job
from fbrain.transfer.tests.helpers import make_note, upload

pytestmark = pytest.mark.django_db


def test_purge_trash_deletes_only_notes_trashed_longer_than_the_retention(user, settings):
    settings.TRASH_RETENTION_DAYS = 30
    old, recent, _live = (make_note(owner=user, title=title) for title in ("old", "recent", "live"))
    notes.note_delete(note=old)
    notes.note_delete(note=recent)
    Note.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - dt.timedelta(days=31))
    assert tasks.purge_trash.delay().get() == {"purged": 1}
    assert sorted(Note.objects.values_list("title", flat=True)) == ["live", "recent"]
    run = PeriodicRun.objects.get(name="purge_trash")
    assert run.last_success_at is not None
    assert run.last_result == {"purged": 1}
    gauge = bm.PERIODIC_TASK_LAST_SUCCESS.labels(task="purge_trash")._value.get()
    assert gauge == pytest.approx(timezone.now().timestamp(), abs=60)


def test_recheck_bookmarks_queues_checks_for_stale_ones(user, page_server, allow_local):
    stale = make_bookmark(owner=user, url=page_server.url("/error?status=404"))
    fresh = make_bookmark(owner=user, url=page_server.url("/page"))
    month_ago = timezone.now() - dt.timedelta(days=40)
    Bookmark.objects.filter(pk=stale.pk).update(status="captured", checked_at=month_ago)
    Bookmark.objects.filter(pk=fresh.pk).update(status="captured", checked_at=timezone.now())
    assert tasks.recheck_bookmarks.delay().get() == {"queued": 1}
    stale.refresh_from_db()
    assert stale.dead_since is not None
    assert Bookmark.objects.get(pk=fresh.pk).dead_since is None


def test_expire_job_files_deletes_uploads_and_exports_after_their_ttl(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = transfer.import_create(owner=user, upload=upload({"a.md": "x"}))
    path = job.upload.path
    assert tasks.expire_job_files.delay().get() == {"expired": 0}
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.expire_job_files.delay().get() == {"expired": 1}
    job.refresh_from_db()
    assert job.files_deleted_at is not None
    assert not job.upload
    assert not os.path.exists(path)


def test_recover_stalled_jobs_requeues_jobs_without_heartbeat(
    user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    job = transfer.import_create(owner=user, upload=upload({"a.md": "x"}))
    Job.objects.filter(pk=job.pk).update(
        status="running", attempts=1, heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_stalled_jobs.delay().get() == {"requeued": 1, "bookmarks_requeued": 0}
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.attempts == 2


def test_recover_stalled_jobs_queues_captures_that_never_were(user, django_capture_on_commit_callbacks):
    # Saved while the broker was down: pending, with no capture task anywhere.
    stuck = make_bookmark(owner=user)
    fresh = make_bookmark(owner=user)
    Bookmark.objects.filter(pk=stuck.pk).update(capture_requested_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_stalled_jobs.delay().get() == {"requeued": 0, "bookmarks_requeued": 1}
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    # The capture ran (and refused the loopback address at once): no longer pending.
    assert stuck.status == Bookmark.Status.FAILED
    assert fresh.status == Bookmark.Status.PENDING


@pytest.mark.parametrize("redis_url", ["configured", None])
def test_a_periodic_task_runs_once_while_its_lock_is_held(settings, redis_url):
    if redis_url is None:
        settings.REDIS_URL = None
    calls = []

    @periodic("test-lock", ttl=30)
    def job():
        calls.append(1)
        return {"ran": True}

    with task_lock("test-lock", ttl=30) as taken:
        assert taken
        assert job() == LOCKED
    assert job() == {"ran": True}
    assert calls == [1]


def test_the_redis_lock_key_carries_the_configured_prefix(settings, redis_server):
    import redis

    settings.REDIS_URL = redis_server.url
    settings.CACHE_KEY_PREFIX = "tenant-a"
    client = redis.Redis.from_url(redis_server.url)

    with task_lock("test-prefix", ttl=30) as taken:
        assert taken
        assert client.exists("tenant-a:lock:test-prefix") == 1
    assert client.exists("tenant-a:lock:test-prefix") == 0


def test_task_lock_lets_exactly_one_of_many_concurrent_callers_in():
    results = []
    barrier = threading.Barrier(8)

    def contend():
        barrier.wait()
        with task_lock("test-race", ttl=5) as taken:
            results.append(taken)
            if taken:
                barrier_done.wait(2)

    barrier_done = threading.Event()
    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(results) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    barrier_done.set()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
