import os

import pytest

from fbrain.notes.models import Link, Note
from fbrain.transfer import services
from fbrain.transfer.models import Attachment, Job, JobItem
from fbrain.transfer.tests.helpers import VAULT, make_note, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def start(user, files=VAULT, **options):
    job = services.import_create(owner=user, upload=upload(files), **options)
    assert services.import_run(job_id=str(job.pk)) in ("succeeded", "failed", "cancelled")
    job.refresh_from_db()
    return job


def titles(user):
    return sorted(Note.objects.filter(owner=user, deleted_at__isnull=True).values_list("title", flat=True))


def test_import_creates_notes_tags_links_and_attachments(user):
    job = start(user)
    assert job.status == "succeeded"
    assert titles(user) == ["Alpha", "Beta", "Welcome"]
    alpha = Note.objects.get(owner=user, title="Alpha")
    welcome = Note.objects.get(owner=user, title="Welcome")
    assert sorted(nt.tag.name for nt in welcome.note_tags.select_related("tag")) == ["greeting", "intro"]
    assert [nt.tag.name for nt in alpha.note_tags.select_related("tag")] == []
    assert alpha.body.startswith("---\nfolder: Projects\n---\n")
    assert welcome.created_at.year == 2023
    assert welcome.aliases == ["Start"]
    # [[start]] resolved by alias, [[Beta|the beta]] by file name.
    targets = Link.objects.filter(source=alpha).values_list("target__title", flat=True)
    assert sorted(title or "" for title in targets) == ["Beta", "Welcome"]
    assert "[[Welcome|start]]" in alpha.body
    assert "[[Beta|the beta]]" in alpha.body
    pending = Link.objects.get(source=welcome, target__isnull=True)
    assert pending.target_title == "missing page"
    assert Attachment.objects.filter(owner=user).count() == 2
    assert "/api/v1/attachments/" in welcome.body
    assert job.counts["create"] == 3
    assert job.counts["attachment"] == 2
    assert job.errors == [{"path": "broken.md", "message": "not UTF-8 text (byte 0)"}]
    assert (job.processed, job.total) == (5, 5)


def test_import_dry_run_reports_and_writes_nothing(user):
    make_note(owner=user, title="Alpha")
    job = start(user, dry_run=True, conflict="rename")
    assert job.status == "succeeded"
    assert titles(user) == ["Alpha"]
    assert Attachment.objects.count() == 0
    actions = {entry["path"]: (entry["action"], entry["title"]) for entry in job.report}
    assert actions["Projects/Alpha.md"] == ("rename", "Alpha (imported)")
    assert actions["Welcome.md"] == ("create", "Welcome")
    assert job.counts["rename"] == 1


@pytest.mark.parametrize(
    ("policy", "expected_titles", "alpha_body_from_vault"),
    [
        ("skip", ["Alpha", "Beta", "Welcome"], False),
        ("rename", ["Alpha", "Alpha (imported)", "Beta", "Welcome"], False),
        ("overwrite", ["Alpha", "Beta", "Welcome"], True),
    ],
)
def test_import_conflict_policies(user, policy, expected_titles, alpha_body_from_vault):
    make_note(owner=user, title="alpha", body="mine")
    start(user, conflict=policy)
    assert sorted(title.lower() for title in titles(user)) == [title.lower() for title in expected_titles]
    existing = Note.objects.get(owner=user, title="alpha")
    assert ("Alpha links back" in existing.body) is alpha_body_from_vault


def test_rerunning_the_same_import_with_skip_creates_no_duplicate(user):
    start(user)
    again = start(user)
    assert again.counts["skip"] == 3
    assert again.counts["create"] == 0
    assert Note.objects.filter(owner=user).count() == 3


def test_a_second_delivery_of_a_finished_job_does_nothing(user):
    job = start(user)
    assert services.import_run(job_id=str(job.pk)) == "skipped"
    assert Note.objects.filter(owner=user).count() == 3


def test_a_resumed_import_skips_files_already_written(user, settings):
    job = services.import_create(owner=user, upload=upload(VAULT), conflict="rename")
    # A first attempt wrote Welcome.md and died: its JobItem exists with the note, the job still "running".
    welcome = make_note(owner=user, title="Welcome", body="x")
    JobItem.objects.create(job=job, path="Welcome.md", action="create", note=welcome)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at=None)
    assert services.import_run(job_id=str(job.pk)) == "succeeded"
    assert titles(user) == ["Alpha", "Beta", "Welcome"]
    job.refresh_from_db()
    assert job.attempts == 2


def test_an_import_interrupted_too_often_fails_cleanly(user, settings):
    job = services.import_create(owner=user, upload=upload(VAULT))
    Job.objects.filter(pk=job.pk).update(status="running", attempts=settings.JOB_MAX_ATTEMPTS)
    assert services.import_run(job_id=str(job.pk)) == "skipped"
    job.refresh_from_db()
    assert job.status == "failed"
    assert "interrupted" in job.failure_reason


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"../evil.md": "x"}, "outside"),
        ({"bomb.md": "\0" * (3 * 1024 * 1024)}, "zip bomb"),
    ],
)
def test_hostile_archives_fail_the_job_with_a_reason(user, files, reason):
    job = start(user, files=files)
    assert job.status == "failed"
    assert reason in job.failure_reason
    assert Note.objects.filter(owner=user).count() == 0


def test_too_many_entries_fail_the_job(user, settings):
    settings.IMPORT_MAX_ENTRIES = 3
    job = start(user, files={f"n{i}.md": "x" for i in range(4)})
    assert job.status == "failed"
    assert "entries" in job.failure_reason


def test_a_note_the_knowledge_base_refuses_is_a_file_error(user):
    job = start(user, files={"big.md": os.urandom(524_289).hex(), "ok.md": "fine"})
    assert job.status == "succeeded"
    assert titles(user) == ["ok"]
    assert job.errors[0]["path"] == "big.md"
    assert job.counts["error"] == 1


def test_imported_bookmarks_become_bookmarks(user, django_capture_on_commit_callbacks):
    files = {"site.md": "---\nkind: bookmark\nurl: http://127.0.0.1:9/x\n---\nmy note"}
    start(user, files=files)
    note = Note.objects.get(owner=user, title="site")
    assert note.kind == "bookmark"
    assert note.bookmark.url == "http://127.0.0.1:9/x"


def test_cancel_stops_a_queued_job_and_refuses_a_finished_one(user):
    from fbrain.core.errors import Conflict

    job = services.import_create(owner=user, upload=upload(VAULT))
    services.job_cancel(job=job)
    job.refresh_from_db()
    assert job.status == "cancelled"
    with pytest.raises(Conflict):
        services.job_cancel(job=job)
    assert services.import_run(job_id=str(job.pk)) == "skipped"


def test_cancel_of_a_running_job_stops_between_files(user):
    job = services.import_create(owner=user, upload=upload(VAULT))
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=None, cancel_requested=False)
    services.job_cancel(job=Job.objects.get(pk=job.pk))
    assert Job.objects.get(pk=job.pk).cancel_requested
    assert services.import_run(job_id=str(job.pk)) == "skipped"
    assert Job.objects.get(pk=job.pk).status == "cancelled"
