import io
import zipfile

import pytest
import yaml

from fbrain.bookmarks.tests.factories import make_bookmark
from fbrain.notes import services as notes
from fbrain.notes.models import Link, Note
from fbrain.transfer import services
from fbrain.transfer.models import Attachment
from fbrain.transfer.services.exports import file_name
from fbrain.transfer.tests.helpers import VAULT, make_note, make_user, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export(user):
    job = services.export_create(owner=user)
    assert services.export_run(job_id=str(job.pk)) == "succeeded"
    job.refresh_from_db()
    with job.result.open("rb") as handle:
        data = handle.read()
    return job, zipfile.ZipFile(io.BytesIO(data))


def snapshot(user):
    """What a round trip must keep: titles, bodies, tags per note, links (resolved and pending)."""
    state = {}
    for note in Note.objects.filter(owner=user, deleted_at__isnull=True).prefetch_related("note_tags__tag"):
        links = sorted(
            (link.target.title if link.target else f"pending:{link.target_title}")
            for link in Link.objects.filter(source=note).select_related("target")
        )
        tags = sorted(nt.tag.name.lower() for nt in note.note_tags.all())
        state[note.title] = {"tags": tags, "links": links, "kind": note.kind, "created": note.created_at}
    return state


def test_export_writes_markdown_with_front_matter(user):
    make_note(owner=user, title="A/B: c?", body="Body with [[Other]] #topic")
    make_bookmark(owner=user, url="http://127.0.0.1:9/page", title="Saved page")
    job, archive = export(user)
    names = sorted(archive.namelist())
    assert names == ["A-B- c.md", "Saved page.md"]
    text = archive.read("A-B- c.md").decode()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "A/B: c?"
    assert front["tags"] == ["topic"]
    assert "created" in front and "updated" in front
    assert text.endswith("Body with [[Other]] #topic")
    bookmark = yaml.safe_load(archive.read("Saved page.md").decode().split("---\n")[1])
    assert bookmark["url"] == "http://127.0.0.1:9/page"
    assert bookmark["kind"] == "bookmark"
    assert job.counts == {"notes": 2, "attachments": 0}
    assert (job.processed, job.total) == (2, 2)


def test_export_then_import_into_a_fresh_user_keeps_notes_tags_and_links(user):
    services.import_run(job_id=str(services.import_create(owner=user, upload=upload(VAULT)).pk))
    make_note(owner=user, title="Extra", body="---\nsource: web\n---\nlinks [[Alpha#Part|a]] and #deep/tag", tags=["x"])
    make_note(owner=user, title="Trashed")
    notes.note_delete(note=Note.objects.get(owner=user, title="Trashed"))
    make_bookmark(owner=user, url="http://127.0.0.1:9/bm", title="Bookmark note")
    before = snapshot(user)
    _, archive = export(user)
    assert len([name for name in archive.namelist() if name.startswith("attachments/")]) == 2

    fresh = make_user("fresh")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as copy:
        for name in archive.namelist():
            copy.writestr(name, archive.read(name))
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = services.import_create(owner=fresh, upload=SimpleUploadedFile("export.zip", buffer.getvalue()))
    assert services.import_run(job_id=str(job.pk)) == "succeeded"
    after = snapshot(fresh)
    assert after == before
    assert "Trashed" not in after
    assert Attachment.objects.filter(owner=fresh).count() == 2
    for title in before:
        if title in ("Welcome", "Alpha", "Beta"):
            # Attachment URLs change with the new ids; Beta's own `title:` property yields to its title.
            continue
        original = Note.objects.get(owner=user, title=title).body
        assert Note.objects.get(owner=fresh, title=title).body == original


def test_file_name_is_portable_and_unique():
    taken: set[str] = set()
    assert file_name("a/b", taken) == "a-b.md"
    assert file_name("A:B", taken) == "A-B (2).md"
    assert file_name("...", taken) == "Untitled.md"


def test_export_of_a_missing_job_is_skipped():
    assert services.export_run(job_id="00000000-0000-0000-0000-000000000000") == "skipped"


def test_export_to_broken_storage_fails_with_a_reason_and_leaves_no_file(user, settings, tmp_path):
    # A real filesystem error: the media "folder" sits under a regular file, so nothing can be created there.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    make_note(owner=user, title="Keep me", body="text")
    job = services.export_create(owner=user)
    assert services.export_run(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.failure_reason.startswith("Could not store the export file")
    assert not job.result
    assert blocker.read_text() == "x"


def test_failed_export_removes_a_half_written_zip(user, settings):
    from fbrain.transfer.services.exports import _discard_results

    job = services.export_create(owner=user)
    folder = settings.MEDIA_ROOT / f"jobs/{user.pk}/{job.pk}"
    folder.mkdir(parents=True)
    (folder / "fbrain-export-partial.zip").write_bytes(b"PK\x03\x04 truncated")
    _discard_results(job)
    assert list(folder.iterdir()) == []
