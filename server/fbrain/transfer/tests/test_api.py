import time

import pytest

from fbrain.core.tests.factories import UserFactory
from fbrain.notes.models import Note
from fbrain.transfer.models import Attachment, Job
from fbrain.transfer.tests.helpers import PNG, VAULT, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def post_import(client, files=VAULT, **fields):
    return client.post("/api/v1/imports", {"file": upload(files), **fields}, format="multipart")


@pytest.mark.django_db
def test_post_import_answers_202_with_a_job_then_runs_it(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(client, conflict="rename")
    assert response.status_code == 202
    body = response.json()
    assert set(body) >= {"id", "status", "progress"}
    assert body["status"] == "queued"
    detail = client.get(f"/api/v1/jobs/{body['id']}").json()
    assert detail["status"] == "succeeded"
    assert detail["progress"] == {"processed": 5, "total": 5, "percent": 100}
    assert detail["counts"]["create"] == 3
    assert detail["errors"][0]["path"] == "broken.md"
    assert {entry["path"] for entry in detail["report"]} == {"Welcome.md", "Projects/Alpha.md", "Projects/Beta.md"}
    assert detail["download_url"] is None


@pytest.mark.django_db
def test_post_import_refuses_non_zip_and_bad_options(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/v1/imports", {"file": SimpleUploadedFile("x.zip", b"not a zip")}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert post_import(client, conflict="merge").status_code == 400
    assert client.post("/api/v1/imports", {}, format="multipart").status_code == 400
    for field in ("conflict", "dry_run", "folder_tags"):  # blank is not "absent": the schema allows no ""
        response = post_import(client, **{field: ""})
        assert response.status_code == 400 and field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_post_import_over_the_size_limit_is_413(client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = post_import(client, files={"a.md": "x" * 1000})
    assert response.status_code == 413


@pytest.mark.django_db
def test_post_import_with_a_huge_declared_body_is_413_before_parsing(client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    response = client.generic(
        "POST", "/api/v1/imports", b"x" * 200_000, content_type="multipart/form-data; boundary=zz"
    )
    assert response.status_code == 413


@pytest.mark.django_db
def test_export_download_and_attachments_are_owner_only(client, user, api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_import(client)
        response = client.post("/api/v1/exports")
    assert response.status_code == 202
    job_id = response.json()["id"]
    detail = client.get(f"/api/v1/jobs/{job_id}").json()
    assert detail["status"] == "succeeded"
    assert detail["download_url"] == f"/api/v1/jobs/{job_id}/download"
    download = client.get(detail["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    attachment = Attachment.objects.filter(owner=user).get(name="logo.png")
    image = client.get(attachment.url)
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == PNG
    assert image["Content-Type"] == "image/png"

    api_client.force_authenticate(UserFactory())
    assert api_client.get(f"/api/v1/jobs/{job_id}").status_code == 404
    assert api_client.get(f"/api/v1/jobs/{job_id}/download").status_code == 404
    assert api_client.get(attachment.url).status_code == 404
    assert api_client.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 404
    assert api_client.get("/api/v1/jobs").json()["results"] == []


@pytest.mark.django_db
def test_jobs_list_cancel_and_download_rules(client, user):
    queued = post_import(client).json()
    export = client.post("/api/v1/exports").json()
    listed = client.get("/api/v1/jobs").json()["results"]
    assert [job["id"] for job in listed] == [export["id"], queued["id"]]
    assert [job["id"] for job in client.get("/api/v1/jobs?kind=export").json()["results"]] == [export["id"]]
    assert client.get("/api/v1/jobs?kind=nope").status_code == 400
    cancelled = client.post(f"/api/v1/jobs/{queued['id']}/cancel")
    assert cancelled.status_code == 202
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/jobs/{queued['id']}/cancel").status_code == 409
    assert client.get(f"/api/v1/jobs/{queued['id']}/download").status_code == 404
    assert client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/api/v1/attachments/999999/x.png").status_code == 404


@pytest.mark.django_db
def test_jobs_list_keeps_a_constant_query_count(client, user, django_assert_max_num_queries):
    for _ in range(5):
        client.post("/api/v1/exports")
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/jobs?page_size=3").json()["results"]) == 3


def wait_for(job_id, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {Job.objects.get(pk=job_id).status}")


@pytest.mark.celery_worker
def test_import_and_export_go_through_the_broker_to_a_real_worker(celery_worker, client, user):
    imported = post_import(client, files={"One.md": "links [[Two]]", "Two.md": "#tag", "img.png": PNG})
    assert imported.status_code == 202
    assert wait_for(imported.json()["id"]).status == "succeeded"
    assert sorted(Note.objects.filter(owner=user).values_list("title", flat=True)) == ["One", "Two"]
    exported = client.post("/api/v1/exports")
    job = wait_for(exported.json()["id"])
    assert job.status == "succeeded"
    assert job.counts["notes"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_two_thousand_note_vault_imports_then_exports_as_served(client, user):
    # Real commits: the job runs in the request's on_commit, as in the embedded mode (inline tasks).
    import io
    import zipfile

    count = 2000
    files = {
        f"Vault/Area {i % 7}/Note {i}.md": f"---\ntags: [area{i % 7}]\n---\nSee [[Note {(i + 1) % count}]]. word{i}"
        for i in range(count)
    }
    response = post_import(client, files, conflict="skip")
    assert response.status_code == 202, response.content
    job = client.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == "succeeded", job
    assert job["counts"]["create"] == count and job["progress"]["percent"] == 100
    assert Note.objects.filter(owner=user, deleted_at__isnull=True).count() == count
    note = Note.objects.get(owner=user, title="Note 1999")
    assert list(note.outgoing_links.values_list("target__title", flat=True)) == ["Note 0"]
    found = client.get("/api/v1/search/", {"q": "word1234"}).json()
    assert [hit["note"]["title"] for hit in found["results"]] == ["Note 1234"]

    export = client.post("/api/v1/exports")
    assert export.status_code == 202
    detail = client.get(f"/api/v1/jobs/{export.json()['id']}").json()
    assert detail["status"] == "succeeded", detail
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(detail["download_url"]).streaming_content)))
    assert len([name for name in archive.namelist() if name.endswith(".md")]) == count
