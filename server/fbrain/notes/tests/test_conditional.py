"""HTTP validators of the note list and detail: ETag / Last-Modified, 304 on revalidation, new ones on writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from fbrain.accounts.services import token_create
from fbrain.core.tests.factories import UserFactory
from fbrain.notes import selectors, services
from fbrain.notes.models import ContentState, Note
from fbrain.transfer.tests.helpers import upload

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notes/?page_size=5"


@pytest.fixture
def api(user):
    """A client with a real API token: the queries counted below are those of a real request."""
    client = APIClient()
    _, key = token_create(user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/v1/notes/")  # marks the token used: later requests in this minute do not write it
    return client


@pytest.fixture
def note(user):
    return services.note_create(owner=user, title="Kept", body="Text #topic", tags=["explicit"])


def _settle(user) -> None:
    """Move every time of the user's content three seconds back, as if nothing had changed since."""
    back = timedelta(seconds=3)
    Note.objects.filter(owner=user).update(updated_at=timezone.now() - back)
    ContentState.objects.filter(owner=user).update(changed_at=timezone.now() - back)


def _touches(captured: CaptureQueriesContext, table: str) -> bool:
    return any(f'"{table}"' in query["sql"] for query in captured.captured_queries)


def test_detail_and_list_carry_strong_validators(api, note):
    detail = api.get(f"/api/v1/notes/{note.pk}/")
    assert detail.status_code == 200
    assert detail["ETag"] == Note.objects.get(pk=note.pk).etag and detail["ETag"].startswith(f'"{note.version}-')
    assert detail["Cache-Control"] == "private, no-cache"
    listed = api.get(LIST)
    assert listed.status_code == 200 and listed["ETag"].startswith('"l') and not listed["ETag"].startswith("W/")
    # Changed just now: no Last-Modified yet (a second change within the same second would hide behind it).
    assert "Last-Modified" not in detail and "Last-Modified" not in listed


def test_a_current_etag_answers_304_without_reading_the_note(api, note, django_assert_num_queries):
    etag = api.get(f"/api/v1/notes/{note.pk}/")["ETag"]
    with django_assert_num_queries(2):  # the token, the validator
        response = api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b"" and response["ETag"] == etag
    for header in (f"W/{etag}", f'"other", {etag}', "*"):
        assert api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_NONE_MATCH=header).status_code == 304, header


def test_a_current_list_etag_answers_304_without_the_list_query(api, note):
    etag = api.get(LIST)["ETag"]
    with CaptureQueriesContext(connection) as captured:
        response = api.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b"" and response["ETag"] == etag
    assert len(captured) == 2  # the token, the owner's content stamp
    assert not _touches(captured, "notes_note") and not _touches(captured, "notes_notetag")


def test_full_reads_keep_their_query_budget(api, note, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the token, the row (with the stamp), its tag names
        assert api.get(f"/api/v1/notes/{note.pk}/").status_code == 200
    with django_assert_max_num_queries(4):  # the token, the stamp, the page, its tag names
        assert api.get("/api/v1/notes/?page_size=100").status_code == 200


@pytest.mark.parametrize("header", ['"1-2"', "garbage", '"unterminated', "W/", '"l0000"', ",", '"' + "9" * 5000 + '"'])
def test_stale_or_malformed_if_none_match_answers_the_full_body(api, note, header):
    detail = api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_NONE_MATCH=header)
    listed = api.get(LIST, HTTP_IF_NONE_MATCH=header)
    assert detail.status_code == 200 and detail.json()["id"] == note.pk
    assert listed.status_code == 200 and listed.json()["results"]


def test_validators_are_per_query_and_per_user(api, user, note):
    etag = api.get(LIST)["ETag"]
    assert api.get("/api/v1/notes/?page_size=6", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert api.get(LIST + "&pinned=true", HTTP_IF_NONE_MATCH=etag).status_code == 200
    other = APIClient()
    other.force_authenticate(UserFactory.create())
    assert other.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert other.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_a_trashed_note_is_404_whatever_the_validator(api, note):
    etag = api.get(f"/api/v1/notes/{note.pk}/")["ETag"]
    services.note_delete(note=note)
    assert api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_bad_list_parameters_are_400_even_with_a_current_etag(api, note):
    etag = api.get(LIST)["ETag"]
    response = api.get(LIST + "&cursor=nonsense", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 400 and "cursor" in response.json()["error"]["fields"]


def test_last_modified_once_settled_and_if_modified_since(api, user, note):
    _settle(user)
    detail = api.get(f"/api/v1/notes/{note.pk}/")
    listed = api.get(LIST)
    stamp = ContentState.objects.get(owner=user).changed_at
    assert detail["Last-Modified"] == listed["Last-Modified"] == http_date(stamp.timestamp())
    since = listed["Last-Modified"]
    assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    earlier = http_date(stamp.timestamp() - 60)
    assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=since, HTTP_IF_NONE_MATCH='"stale"').status_code == 200
    for bad in ("yesterday", "", http_date(timezone.now().timestamp() + 3600), http_date(timezone.now().timestamp())):
        # Malformed, in the future, or too recent to rule out a change still committing: the full answer.
        assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=bad).status_code == 200, bad
    services.note_update(note=note, pinned=True)
    assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=since).status_code == 200
    assert api.get(f"/api/v1/notes/{note.pk}/", HTTP_IF_MODIFIED_SINCE=since).status_code == 200


def test_a_write_racing_a_list_read_never_leaves_a_304_for_what_changed(api, user, note, monkeypatch):
    read_state = selectors.content_state

    def state_then_write(*, owner):
        state = read_state(owner=owner)
        services.note_create(owner=user, title="Raced in")  # commits between the validator and the rows
        return state

    monkeypatch.setattr(selectors, "content_state", state_then_write)
    raced = api.get(LIST)
    monkeypatch.setattr(selectors, "content_state", read_state)
    assert "Raced in" in [item["title"] for item in raced.json()["results"]]
    again = api.get(LIST, HTTP_IF_NONE_MATCH=raced["ETag"])
    assert again.status_code == 200 and again["ETag"] != raced["ETag"]


def _api_write(method: str, path: str, data: dict | None = None) -> Callable[[APIClient, Note], object]:
    def write(api: APIClient, note: Note) -> object:
        response = getattr(api, method)(path.format(id=note.pk), data, format="json")
        assert response.status_code < 300, response.content
        return response

    return write


def _tag_rename(api: APIClient, note: Note) -> None:
    tag = note.note_tags.get(tag__name="explicit").tag
    assert api.patch(f"/api/v1/tags/{tag.pk}/", {"name": "renamed"}, format="json").status_code == 200


def _tag_recase(api: APIClient, note: Note) -> None:
    tag = note.note_tags.get(tag__name="explicit").tag
    assert api.patch(f"/api/v1/tags/{tag.pk}/", {"name": "Explicit"}, format="json").status_code == 200


def _tag_merge(api: APIClient, note: Note) -> None:
    tag = note.note_tags.get(tag__name="explicit").tag
    body = {"source_ids": [tag.pk], "target": "merged"}
    assert api.post("/api/v1/tags/merge/", body, format="json").status_code == 200


def _revision_restore(api: APIClient, note: Note) -> None:
    services.note_update(note=note, body="Second text #topic")
    revision = note.revisions.get()
    assert api.post(f"/api/v1/notes/{note.pk}/revisions/{revision.pk}/restore/", {}, format="json").status_code == 200


def _web_edit(api: APIClient, note: Note) -> None:
    browser = APIClient()
    browser.force_login(note.owner)
    data = {"title": "Kept", "body": "Edited in the browser #topic", "version": note.version}
    assert browser.post(f"/notes/{note.pk}/edit/", data).status_code == 302


def _web_create(api: APIClient, note: Note) -> None:
    browser = APIClient()
    browser.force_login(note.owner)
    assert browser.post("/notes/new/", {"title": "From the browser", "body": ""}).status_code == 302


def _import(api: APIClient, note: Note) -> None:
    files = {"Vault/Imported.md": "An imported note #topic", "Vault/Kept.md": "Replaced by the import"}
    response = api.post("/api/v1/imports", {"file": upload(files), "conflict": "overwrite"}, format="multipart")
    assert response.status_code == 202, response.content


def _trash_and_import_old(api: APIClient, note: Note) -> None:
    # The count stays, and the new note is older than every other: only the stamp can tell.
    other = services.note_create(owner=note.owner, title="Doomed")
    services.note_delete(note=other)
    old = timezone.now() - timedelta(days=3650)
    services.notes_bulk_create(owner=note.owner, notes=[services.NewNote(title="Old", body="", created_at=old)])


def _restore_from_trash(api: APIClient, note: Note) -> None:
    services.note_delete(note=services.note_create(owner=note.owner, title="Back"))
    back = Note.objects.get(title="Back")
    _settle(note.owner)
    api.get(LIST)
    assert api.post(f"/api/v1/trash/{back.pk}/restore/", format="json").status_code == 200


WRITES = {
    "api create": _api_write("post", "/api/v1/notes/", {"title": "New one"}),
    "api put": _api_write("put", "/api/v1/notes/{id}/", {"title": "Kept", "body": "Replaced #topic"}),
    "api patch body": _api_write("patch", "/api/v1/notes/{id}/", {"body": "Changed #topic"}),
    "api patch pinned": _api_write("patch", "/api/v1/notes/{id}/", {"pinned": True}),
    "api patch archived": _api_write("patch", "/api/v1/notes/{id}/", {"archived": True}),
    "api trash": _api_write("delete", "/api/v1/notes/{id}/"),
    "tag rename": _tag_rename,
    "tag recase": _tag_recase,
    "tag merge": _tag_merge,
    "revision restore": _revision_restore,
    "web edit": _web_edit,
    "web create": _web_create,
    "import": _import,
    "trash and import an old note": _trash_and_import_old,
    "restore from the trash": _restore_from_trash,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_changes_the_list_validator(api, user, note, write, django_capture_on_commit_callbacks):
    before = api.get(LIST)
    with django_capture_on_commit_callbacks(execute=True):
        write(api, note)
    after = api.get(LIST, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


SHOWN_IN_DETAIL = ["api put", "api patch body", "api patch pinned", "api patch archived", "tag rename",
                   "tag recase", "tag merge", "revision restore", "web edit", "import"]  # fmt: skip


@pytest.mark.parametrize("name", SHOWN_IN_DETAIL)
def test_every_write_of_a_note_changes_its_etag(api, note, name, django_capture_on_commit_callbacks):
    url = f"/api/v1/notes/{note.pk}/"
    before = api.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[name](api, Note.objects.get(pk=note.pk))
    after = api.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after.json() != before.json()
