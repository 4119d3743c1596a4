"""Import/export pages: upload with options, job page and polled progress, report, cancel, export download link."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from fbrain.notes.models import Note
from fbrain.transfer.models import Job


def vault_zip() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("vault/Alpha.md", "Links to [[Beta]] and [[Nowhere]]. #imported")
        archive.writestr("vault/Beta.md", "---\ntags: [x]\n---\nBeta body")
    return SimpleUploadedFile("vault.zip", buffer.getvalue(), content_type="application/zip")


def test_transfer_page_has_the_forms(signed_in):
    html = signed_in.get("/transfer/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Dry run" in html
    assert "<legend>When a note with the same title exists</legend>" in html
    assert "No imports or exports yet" in html


def test_missing_file_is_a_field_error(signed_in):
    response = signed_in.post("/transfer/", {"conflict": "skip"})
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()


def test_not_a_zip_is_a_field_error(signed_in):
    upload = SimpleUploadedFile("notes.zip", b"not a zip", content_type="application/zip")
    response = signed_in.post("/transfer/", {"file": upload, "conflict": "skip"})
    assert response.status_code == 400
    assert "Upload a .zip file." in response.content.decode()


def test_dry_run_import_reports_and_changes_nothing(signed_in, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/transfer/", {"file": vault_zip(), "dry_run": "on", "conflict": "skip"})
    job = Job.objects.get(owner=member)
    assert response["Location"] == f"/transfer/jobs/{job.pk}/"
    html = signed_in.get(response["Location"]).content.decode()
    assert "Succeeded" in html
    assert "Nothing was changed." in html
    assert "What would happen" in html
    assert "Alpha.md" in html
    assert not Note.objects.filter(owner=member).exists()


def test_real_import_and_polled_progress(signed_in, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/transfer/", {"file": vault_zip(), "conflict": "rename"})
    job = Job.objects.get(owner=member)
    progress = signed_in.get(f"/transfer/jobs/{job.pk}/progress")
    assert progress.status_code == 286
    assert 'value="100"' in progress.content.decode()
    assert Note.objects.filter(owner=member, title__in=["Alpha", "Beta"]).count() == 2
    listing = signed_in.get("/transfer/").content.decode()
    assert "vault.zip" in listing


def test_queued_job_polls_and_can_be_cancelled(signed_in, member):
    signed_in.post("/transfer/", {"file": vault_zip(), "conflict": "skip"})
    job = Job.objects.get(owner=member)
    progress = signed_in.get(f"/transfer/jobs/{job.pk}/progress")
    assert progress.status_code == 200
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    response = signed_in.post(f"/transfer/jobs/{job.pk}/cancel", follow=True)
    assert "Cancelled" in response.content.decode()
    again = signed_in.post(f"/transfer/jobs/{job.pk}/cancel", follow=True)
    assert "already cancelled" in again.content.decode()


def test_export_offers_the_download(signed_in, member, django_capture_on_commit_callbacks):
    from fbrain.notes import services

    services.note_create(owner=member, title="To export", body="hello")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/transfer/export")
    job = Job.objects.get(owner=member, kind="export")
    html = signed_in.get(response["Location"]).content.decode()
    assert f'href="/api/v1/jobs/{job.pk}/download"' in html


def test_someone_elses_job_is_not_found(signed_in, db):
    from fbrain.core.tests.factories import UserFactory
    from fbrain.transfer import services

    job = services.export_create(owner=UserFactory())
    assert signed_in.get(f"/transfer/jobs/{job.pk}/").status_code == 404
