"""SIGKILL a real prefork worker in the middle of an import, start another: the job ends whole, nothing twice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from fbrain.notes.models import Note
from fbrain.transfer import services
from fbrain.transfer.models import Job, JobItem
from fbrain.transfer.services.imports import BATCH_SIZE
from fbrain.transfer.tests.helpers import upload

SERVER_DIR = Path(__file__).resolve().parents[3]
# Enough batches that the import is still running for seconds after its first batch committed.
NOTES = 12 * BATCH_SIZE


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(media_root: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL or "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
        "JOB_STALL_SECONDS": "2",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1"]
    command += [
        "-Q",
        "transfer",
        "-l",
        "WARNING",
        "--without-mingle",
        "--without-gossip",
        "-n",
        f"kill-test-{os.getpid()}@%h",
    ]
    # Its own session: one killpg reaches the main process and its pool child, like a container being killed.
    return subprocess.Popen(
        command, cwd=SERVER_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def real_broker(settings):
    from config.celery_app import app

    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.slow
@pytest.mark.celery_worker
def test_sigkill_mid_import_then_restart_finishes_without_duplicates(
    transactional_db, real_broker, user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_STALL_SECONDS = 2
    files = {
        f"Vault/folder{i % 10}/Note {i}.md": f"Note {i} links [[Note {(i + 1) % NOTES}]] #n{i % 7}"
        for i in range(NOTES)
    }
    log = tmp_path / "worker.log"
    first = start_worker(settings.MEDIA_ROOT, log)
    second = None
    try:
        # `rename` would turn any file imported twice into a visible "(imported)" copy.
        job = services.import_create(owner=user, upload=upload(files), conflict="rename")
        wait(lambda: Job.objects.get(pk=job.pk).processed >= BATCH_SIZE, 120, "the import to get going")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        killed = Job.objects.get(pk=job.pk)
        written = Note.objects.filter(owner=user).count()
        assert killed.status == Job.Status.RUNNING
        assert 0 < written < NOTES, "the kill must land mid-import"
        # A batch commits with its JobItems or not at all: only whole batches of notes exist.
        assert written % BATCH_SIZE == 0
        assert JobItem.objects.filter(job=job, note__isnull=False).count() == written

        second = start_worker(settings.MEDIA_ROOT, log)
        time.sleep(settings.JOB_STALL_SECONDS + 0.5)
        # What beat's recover_stalled_jobs does every few minutes.
        assert services.jobs_recover_stalled() == [str(job.pk)]
        wait(lambda: Job.objects.get(pk=job.pk).is_finished, 180, "the resumed import to finish")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
    done = Job.objects.get(pk=job.pk)
    assert done.status == Job.Status.SUCCEEDED, log.read_text()[-3000:]
    assert done.attempts == 2
    titles = list(Note.objects.filter(owner=user).values_list("title", flat=True))
    assert len(titles) == NOTES
    assert len({title.lower() for title in titles}) == NOTES
    assert not [title for title in titles if "(imported" in title]
    assert done.counts["create"] == NOTES
    assert JobItem.objects.filter(job=job).count() == NOTES
