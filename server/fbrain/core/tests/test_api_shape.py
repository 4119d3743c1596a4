"""One API shape: cursors, trailing slashes, Location on creates, If-Match and the version rule."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from fbrain.notes import services
from fbrain.notes.models import Note, Revision
from fbrain.transfer.tests.helpers import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize("path", ["/api/v1/notes/", "/api/v1/jobs", "/api/v1/bookmarks", "/api/v1/tokens/"])
@pytest.mark.parametrize("cursor", ["garbage", "cD0yMDI1", "%00", "x" * 900])
def test_an_invalid_cursor_is_a_400_naming_cursor_on_every_list(client, path, cursor):
    response = client.get(f"{path}?cursor={cursor}")
    assert response.status_code == 400, (path, response.content)
    assert "cursor" in response.json()["error"]["fields"]


def _api_routes() -> list[str]:
    """Every API route as a sample path (ids 1, job uuids zero), from the URL configuration itself."""
    routes: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and not route.startswith("^"):
                routes.append(prefix + route)

    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/")
    walk(api.url_patterns, "/api/")
    samples = []
    for route in routes:
        path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
        samples.append(re.sub(r"<[^>]+>", "1", path))
    return samples


def test_the_route_list_covers_the_api():
    routes = _api_routes()
    assert {"/api/v1/notes/", "/api/v1/bookmarks", "/api/v1/jobs", "/api/v1/tokens/", "/api/v1/auth/token"} <= set(
        routes
    )


@pytest.mark.parametrize("path", _api_routes())
def test_every_endpoint_answers_with_and_without_its_trailing_slash(client, path):
    other = path[:-1] if path.endswith("/") else path + "/"
    for method in ("get", "post"):
        canonical = getattr(client, method)(path, {}, format="json")
        alternate = getattr(client, method)(other, {}, format="json")
        assert alternate.status_code == canonical.status_code, (method, path, alternate.content)
        if alternate.status_code == 404:
            assert "No API endpoint" not in alternate.content.decode(), (method, other)


def test_a_post_to_the_other_form_keeps_its_body_and_token_auth(user):
    from fbrain.accounts.services import token_create

    _, key = token_create(user=user, name="slash")
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post("/api/v1/notes", {"title": "No slash", "body": "kept"}, format="json")
    assert response.status_code == 201 and response.json()["body"] == "kept"
    assert api.get("/api/v1/nothing-here").status_code == 404


def test_creates_answer_location(client, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    created = {
        "note": client.post("/api/v1/notes/", {"title": "Located"}, format="json"),
        "token": client.post("/api/v1/tokens/", {"name": "located"}, format="json"),
        "bookmark": client.post("/api/v1/bookmarks", {"url": "http://127.0.0.1:9/located"}, format="json"),
        "import": client.post("/api/v1/imports", {"file": upload({"A.md": "a"})}, format="multipart"),
        "export": client.post("/api/v1/exports", {}, format="json"),
    }
    for name, response in created.items():
        assert response.status_code in (201, 202), (name, response.content)
        location = response["Location"]
        assert client.get(location).status_code == 200, (name, location)
        assert str(response.json()["id"]) in location, name
    user.set_password("a long enough passphrase")
    user.save()
    signed_in = APIClient().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": "a long enough passphrase", "name": "x"},
        format="json",
    )
    assert signed_in.status_code == 201 and signed_in["Location"].endswith(f"/tokens/{signed_in.json()['id']}/")


@pytest.mark.parametrize("header", ["garbage", '"abc"', '"1-x"', "1 2", '"1", "2"', "W/"])
def test_a_malformed_if_match_is_a_400_naming_the_header(client, user, header):
    note = services.note_create(owner=user, title="Guarded", body="text")
    services.note_update(note=note, body="newer")
    url = f"/api/v1/notes/{note.pk}/"
    revision = Revision.objects.get(note=note)
    attempts = [
        client.patch(url, {"body": "x"}, format="json", HTTP_IF_MATCH=header),
        client.put(url, {"title": "Guarded", "body": "x"}, format="json", HTTP_IF_MATCH=header),
        client.delete(url, HTTP_IF_MATCH=header),
        client.post(f"{url}revisions/{revision.pk}/restore/", {}, format="json", HTTP_IF_MATCH=header),
    ]
    for response in attempts:
        assert response.status_code == 400, response.content
        assert "If-Match" in response.json()["error"]["fields"]
    assert Note.objects.get(pk=note.pk).body == "newer"


def test_pinning_and_archiving_neither_make_a_revision_nor_fail_a_concurrent_edit(client, user):
    note = client.post("/api/v1/notes/", {"title": "Shared", "body": "v1"}, format="json").json()
    url = f"/api/v1/notes/{note['id']}/"
    etag = client.get(url)["ETag"]
    pinned = client.patch(url, {"pinned": True, "archived": True}, format="json")
    assert pinned.json()["version"] == note["version"] and pinned["ETag"] != etag
    edited = client.patch(url, {"body": "v2"}, format="json", HTTP_IF_MATCH=etag)
    assert edited.status_code == 200 and edited.json()["pinned"] and edited.json()["version"] == note["version"] + 1
    edit_by_version = client.patch(url, {"body": "v3", "version": note["version"] + 1}, format="json")
    assert edit_by_version.status_code == 200
    assert Revision.objects.filter(note_id=note["id"]).count() == 2  # the two text edits only
