"""The cached note list and note reads: served without queries, and never stale after a write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fbrain.accounts import services as account_services
from fbrain.accounts.tests.factories import token_client
from fbrain.core.tests.factories import UserFactory
from fbrain.notes import services
from fbrain.notes.models import Note, Tag
from fbrain.notes.tests.factories import NoteFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notes/?page_size=5"


@pytest.fixture
def client(user):
    return token_client(APIClient(), user)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response, len(captured)


@pytest.mark.needs_redis  # the answer cache lives in Redis: without REDIS_URL every read queries
def test_second_read_is_served_without_queries(client, user):
    note = NoteFactory.create(owner=user, title="Cached", body="#x")
    for url in (LIST, f"/api/v1/notes/{note.pk}/"):
        first, first_queries = queries(client, url)
        again, again_queries = queries(client, url)
        assert first_queries >= 1 and again_queries == 0
        assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
        assert again.get("ETag") == first.get("ETag")


def test_caching_off_asks_the_database_each_time(client, user, settings):
    settings.API_CACHE_SECONDS = 0
    NoteFactory.create(owner=user)
    queries(client, LIST)
    assert queries(client, LIST)[1] >= 2  # token + page


def write_via_api(client, note, kind):
    url = f"/api/v1/notes/{note['id']}/"
    if kind == "create":
        return client.post("/api/v1/notes/", {"title": "Brand new", "tags": ["fresh"]}, format="json")
    if kind == "put":
        return client.put(url, {"title": "Renamed", "body": "#fresh"}, format="json")
    if kind == "patch":
        return client.patch(url, {"pinned": True, "tags": ["fresh"]}, format="json")
    if kind == "delete":
        return client.delete(url)
    if kind == "restore":
        client.delete(url)
        client.get(LIST)
        return client.post(f"/api/v1/trash/{note['id']}/restore/")
    tag = Tag.objects.get(name="old")
    if kind == "tag_rename":
        return client.patch(f"/api/v1/tags/{tag.pk}/", {"name": "fresh"}, format="json")
    return client.post("/api/v1/tags/merge/", {"source_ids": [tag.pk], "target": "fresh"}, format="json")


@pytest.mark.parametrize("kind", ["create", "put", "patch", "delete", "restore", "tag_rename", "tag_merge"])
def test_every_api_write_shows_in_the_next_read(client, user, settings, kind):
    NoteFactory.create(owner=user, title="Older")
    note = client.post("/api/v1/notes/", {"title": "Start", "body": "#old"}, format="json").json()
    urls = (LIST, f"/api/v1/notes/{note['id']}/")
    before = [client.get(url).content for url in urls]
    response = write_via_api(client, note, kind)
    assert response.status_code < 300, response.content
    cached = [client.get(url) for url in urls]
    settings.API_CACHE_SECONDS = 0
    fresh = [client.get(url) for url in urls]
    assert [r.status_code for r in cached] == [r.status_code for r in fresh]
    assert [r.content for r in cached] == [r.content for r in fresh]
    assert (cached[0].content == before[0]) is (kind == "restore")  # a restore brings the old list back


def test_writes_outside_the_api_show_too(client, user):
    note = NoteFactory.create(owner=user, title="Outside")
    detail = f"/api/v1/notes/{note.pk}/"
    client.get(LIST), client.get(detail)
    services.note_update(note=note, body="#changed")  # as the web UI or a task would
    assert client.get(detail).json()["tags"] == ["changed"]
    Note.objects.get(pk=note.pk).save()  # a plain model save (admin) retires entries as well
    tag = Tag.objects.get(name="changed")
    tag.name = "Changed"
    tag.save()
    assert client.get(detail).json()["tags"] == ["Changed"]
    assert client.get(LIST).json()["results"][0]["tags"] == ["Changed"]


def test_users_never_see_each_others_entries(user):
    other = UserFactory()
    NoteFactory.create(owner=user, title="Mine")
    NoteFactory.create(owner=other, title="Theirs")
    mine, theirs = token_client(APIClient(), user), token_client(APIClient(), other)
    assert isinstance(mine, APIClient) and isinstance(theirs, APIClient)
    assert [n["title"] for n in mine.get(LIST).json()["results"]] == ["Mine"]
    assert [n["title"] for n in theirs.get(LIST).json()["results"]] == ["Theirs"]
    own_note = Note.objects.get(title="Mine")
    mine.get(f"/api/v1/notes/{own_note.pk}/")
    assert theirs.get(f"/api/v1/notes/{own_note.pk}/").status_code == 404


def test_revoked_token_fails_on_its_next_request_despite_the_cache(user):
    api = APIClient()
    token, key = account_services.token_create(user=user, name="soon revoked")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(LIST).status_code == 200
    assert api.get(LIST).status_code == 200  # now from the caches
    account_services.token_revoke(user=user, token_id=token.pk)
    assert api.get(LIST).status_code == 401


def test_deactivated_user_is_refused_despite_the_cache(client, user):
    assert client.get(LIST).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(LIST).status_code == 401


def test_redis_down_means_no_cache_not_an_error(client, user, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    note = NoteFactory.create(owner=user, title="Still served")
    assert client.get(LIST).json()["results"][0]["title"] == "Still served"
    assert client.get(f"/api/v1/notes/{note.pk}/").status_code == 200


def test_errors_are_not_cached(client, user):
    assert client.get("/api/v1/notes/999999999/").status_code == 404
    note = NoteFactory.create(owner=user)
    assert client.get(f"/api/v1/notes/{note.pk}/").status_code == 200
    assert client.get("/api/v1/notes/?page_size=0").status_code == 400
    assert client.get("/api/v1/notes/?page_size=0").status_code == 400


def test_batched_imports_show_in_the_next_read(client, user):
    client.get(LIST)
    assert client.get(LIST).json()["results"] == []
    services.notes_bulk_create(owner=user, notes=[services.NewNote(title="Imported", body="#vault")])
    assert [item["title"] for item in client.get(LIST).json()["results"]] == ["Imported"]


def test_absolute_links_follow_the_host_and_scheme_asked(client, user, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    for index in range(3):
        NoteFactory.create(owner=user, title=f"Page {index}")
    url = "/api/v1/notes/?page_size=1"
    for _ in range(2):  # the second round comes from the cache
        one = client.get(url, HTTP_HOST="one.example").json()["next"]
        two = client.get(url, HTTP_HOST="two.example").json()["next"]
        secure = client.get(url, HTTP_HOST="one.example", secure=True).json()["next"]
        assert one.startswith("http://one.example/") and two.startswith("http://two.example/")
        assert secure.startswith("https://one.example/")
