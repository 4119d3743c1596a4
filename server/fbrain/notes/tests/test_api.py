import json

import pytest
from django.db import connection
from rest_framework.test import APIClient

from fbrain.core.tests.factories import UserFactory
from fbrain.notes import services
from fbrain.notes.models import Note, Revision, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def create(client, **data):
    response = client.post("/api/v1/notes/", data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_read_and_etag(client):
    note = create(client, title="Alpha", body="#tag [[Beta]]", tags=["manual"])
    assert note["version"] == 1 and note["tags"] == ["manual", "tag"]
    response = client.get(f"/api/v1/notes/{note['id']}/")
    assert response.status_code == 200 and response["ETag"].startswith('"1-')
    assert response.json()["body"] == "#tag [[Beta]]"


def test_anonymous_is_refused(db):
    assert APIClient().get("/api/v1/notes/").status_code in (401, 403)


def test_update_with_if_match_and_version(client):
    note = create(client, title="Edit me", body="one")
    url = f"/api/v1/notes/{note['id']}/"
    ok = client.patch(url, {"body": "two"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"].startswith('"2-')
    assert client.patch(url, {"pinned": True}, format="json", HTTP_IF_MATCH=ok["ETag"]).status_code == 200
    stale = client.patch(url, {"body": "lost"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    stale = client.put(url, {"title": "Edit me", "body": "lost", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert client.get(url).json()["body"] == "two"
    put = client.put(url, {"title": "Edited", "body": "three", "version": 2}, format="json")
    assert put.status_code == 200 and put.json()["version"] == 3
    assert client.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(url + "?version=1").status_code == 409
    assert client.delete(url, HTTP_IF_MATCH='"3"').status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"title": "x" * 201}, 400, "title"),
        ({"body": "no title"}, 400, "title"),
        ({"title": "big", "body": "a" * (1024 * 1024 + 1)}, 413, "body"),
        ({"title": "t", "tags": ["not valid"]}, 400, "tags"),
        ({"title": "t", "tags": "string"}, 400, "tags"),
        ({"title": "t", "kind": "video"}, 400, "kind"),
        ({"title": "t", "body": "---\ntags: [\n---\n"}, 400, "body"),
        ({"title": "nul\x00"}, 400, "title"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(client, payload, status, field):
    response = client.post("/api/v1/notes/", payload, format="json")
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    assert not Note.objects.exists()


def test_malformed_json_and_non_object_are_400(client):
    response = client.post("/api/v1/notes/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post("/api/v1/notes/", data=json.dumps([1, 2]), content_type="application/json")
    assert response.status_code == 400


def test_duplicate_title_is_409(client):
    create(client, title="Same")
    response = client.post("/api/v1/notes/", {"title": "SAME"}, format="json")
    assert response.status_code == 409 and "title" in response.json()["error"]["fields"]


def test_list_cursor_pagination_filters_and_limits(client, user):
    for index in range(5):
        create(client, title=f"N{index}", body="#even" if index % 2 == 0 else "", pinned=index == 4)
    first = client.get("/api/v1/notes/?page_size=2&ordering=title").json()
    assert [n["title"] for n in first["results"]] == ["N0", "N1"]
    create(client, title="A new one")  # an insert must not shift the next page
    second = client.get(first["next"]).json()
    assert [n["title"] for n in second["results"]] == ["N2", "N3"]
    assert [n["title"] for n in client.get("/api/v1/notes/?tag=even&ordering=title").json()["results"]] == [
        "N0",
        "N2",
        "N4",
    ]
    assert [n["title"] for n in client.get("/api/v1/notes/?pinned=true").json()["results"]] == ["N4"]
    assert client.get("/api/v1/notes/?page_size=101").status_code == 400
    assert client.get("/api/v1/notes/?page_size=0").status_code == 400
    assert client.get("/api/v1/notes/?ordering=body").status_code == 400
    assert client.get("/api/v1/notes/?cursor=garbage").status_code == 400
    assert client.get("/api/v1/notes/?updated_since=yesterday").status_code == 400


def test_links_backlinks_and_pending_resolution(client):
    source = create(client, title="Source", body="[[Target|alias]] and [[Missing]]")
    links = client.get(f"/api/v1/notes/{source['id']}/links/").json()["results"]
    assert [(link["target_title"], link["pending"]) for link in links] == [("Missing", True), ("Target", True)]
    target = create(client, title="target")
    links = client.get(f"/api/v1/notes/{source['id']}/links/").json()["results"]
    assert links[1]["target"]["id"] == target["id"] and not links[1]["pending"]
    backlinks = client.get(f"/api/v1/notes/{target['id']}/backlinks/").json()
    assert len(backlinks["results"]) == 1 and backlinks["results"][0]["source"]["title"] == "Source"
    html = client.get(f"/api/v1/notes/{source['id']}/html/").json()["html"]
    assert f'data-note-id="{target["id"]}"' in html and "wikilink-pending" in html


def test_revisions_diff_and_restore(client):
    note = create(client, title="Doc", body="line one\n")
    url = f"/api/v1/notes/{note['id']}/"
    client.patch(url, {"body": "line two\n"}, format="json")
    revisions = client.get(url + "revisions/").json()
    assert len(revisions["results"]) == 1 and revisions["next"] is None
    revision_id = revisions["results"][0]["id"]
    detail = client.get(f"{url}revisions/{revision_id}/").json()
    assert detail["body"] == "line one\n" and detail["version"] == 1
    diff = client.get(f"{url}revisions/{revision_id}/diff/").json()
    assert "-line one" in diff["diff"] and "+line two" in diff["diff"] and diff["to_version"] == 2
    assert client.post(f"{url}revisions/{revision_id}/restore/", {"version": 1}, format="json").status_code == 409
    restored = client.post(f"{url}revisions/{revision_id}/restore/", {}, format="json", HTTP_IF_MATCH='"2"')
    assert restored.status_code == 200 and restored.json()["body"] == "line one\n"
    assert restored.json()["version"] == 3
    client.patch(url, {"body": "line three\n"}, format="json")
    second = client.get(url + "revisions/").json()["results"][0]["id"]
    between = client.get(f"{url}revisions/{revision_id}/diff/?against={second}").json()
    assert between["from_version"] == 1 and between["to_version"] == 3
    assert client.get(f"{url}revisions/999999/").status_code == 404


def test_tags_list_rename_merge(client, user):
    note = create(client, title="T", body="#proj/a #other #third")
    tags = client.get("/api/v1/tags/").json()
    assert [(t["name"], t["note_count"]) for t in tags["results"]] == [("other", 1), ("proj/a", 1), ("third", 1)]
    other_id = Tag.objects.get(name="other").id
    renamed = client.patch(f"/api/v1/tags/{other_id}/", {"name": "misc"}, format="json")
    assert renamed.status_code == 200
    assert client.get(f"/api/v1/notes/{note['id']}/").json()["body"] == "#proj/a #misc #third"
    clash = client.patch(f"/api/v1/tags/{renamed.json()['id']}/", {"name": "third"}, format="json")
    assert clash.status_code == 409
    assert client.patch(f"/api/v1/tags/{other_id}/", {"name": "bad name"}, format="json").status_code in (400, 404)
    ids = list(Tag.objects.filter(name__in=["misc", "third"]).values_list("id", flat=True))
    merged = client.post("/api/v1/tags/merge/", {"source_ids": ids, "target": "all"}, format="json")
    assert merged.status_code == 200 and merged.json()["note_count"] == 1
    assert client.post("/api/v1/tags/merge/", {"source_ids": [999999], "target": "x"}, format="json").status_code == 404
    assert len(client.get("/api/v1/tags/?prefix=proj").json()["results"]) == 1


def test_trash_restore_purge_and_empty(client):
    one = create(client, title="One")
    two = create(client, title="Two")
    client.delete(f"/api/v1/notes/{one['id']}/")
    client.delete(f"/api/v1/notes/{two['id']}/")
    trash = client.get("/api/v1/trash/").json()
    assert len(trash["results"]) == 2 and trash["results"][0]["deleted_at"]
    restored = client.post(f"/api/v1/trash/{one['id']}/restore/")
    assert restored.status_code == 200 and client.get(f"/api/v1/notes/{one['id']}/").status_code == 200
    assert client.post(f"/api/v1/trash/{one['id']}/restore/").status_code == 404
    assert client.delete(f"/api/v1/trash/{two['id']}/").status_code == 204
    client.delete(f"/api/v1/notes/{one['id']}/")
    assert client.delete("/api/v1/trash/").json() == {"purged": 1}
    assert not Note.objects.exists()


def test_search_endpoint(client):
    create(client, title="Réunion budget", body="Le budget de l'été est validé")
    create(client, title="Other", body="nothing here")
    result = client.get("/api/v1/search/?q=budget").json()
    assert result["count"] == 1 and "<mark>" in result["results"][0]["snippet"]
    assert client.get("/api/v1/search/?q=budg -validé").json()["count"] == 0
    if connection.vendor == "postgresql":
        assert client.get("/api/v1/search/?q=ete").json()["count"] == 1
    assert client.get("/api/v1/search/").status_code == 400
    assert client.get("/api/v1/search/?q=x&page_size=500").status_code == 400


def test_graph_endpoint(client):
    a = create(client, title="A", body="[[B]] #g")
    b = create(client, title="B", body="[[A]] [[C]]")
    create(client, title="C", body="#g")
    graph = client.get("/api/v1/graph/?page_size=2").json()
    assert graph["count"] == 3 and graph["has_next"]
    assert {(e["source"], e["target"]) for e in graph["edges"]} >= {(a["id"], b["id"]), (b["id"], a["id"])}
    tagged = client.get("/api/v1/graph/?tag=g").json()
    assert tagged["count"] == 2 and tagged["edges"] == []


def test_another_users_ids_answer_404_everywhere(client, user):
    other = UserFactory.create()
    theirs = services.note_create(owner=other, title="Theirs", body="#secret [[Theirs]]")
    services.note_update(note=theirs, body="#secret v2")
    revision = Revision.objects.get(note=theirs)
    tag = Tag.objects.get(owner=other)
    base = f"/api/v1/notes/{theirs.id}/"
    for url in [
        base,
        base + "html/",
        base + "links/",
        base + "backlinks/",
        base + "revisions/",
        f"{base}revisions/{revision.id}/",
        f"{base}revisions/{revision.id}/diff/",
        f"/api/v1/tags/{tag.id}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.patch(base, {"body": "mine"}, format="json").status_code == 404
    assert client.delete(base).status_code == 404
    assert client.post(f"{base}revisions/{revision.id}/restore/", {}, format="json").status_code == 404
    assert client.patch(f"/api/v1/tags/{tag.id}/", {"name": "x"}, format="json").status_code == 404
    assert client.post("/api/v1/tags/merge/", {"source_ids": [tag.id], "target": "x"}, format="json").status_code == 404
    services.note_delete(note=theirs)
    assert client.post(f"/api/v1/trash/{theirs.id}/restore/").status_code == 404
    assert client.delete(f"/api/v1/trash/{theirs.id}/").status_code == 404
    assert client.get("/api/v1/trash/").json()["results"] == []
    assert client.delete("/api/v1/trash/").json() == {"purged": 0}
    assert client.get("/api/v1/search/?q=secret").json()["count"] == 0
    assert client.get("/api/v1/graph/").json()["count"] == 0
    assert client.get("/api/v1/tags/").json()["results"] == []
    assert Note.objects.filter(id=theirs.id).exists()


def test_huge_ids_are_404(client):
    assert client.get("/api/v1/notes/99999999999999999999999/").status_code == 404
    assert client.get("/api/v1/notes/999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"title": 5},
        {"title": "t", "pinned": 0},
        {"title": "t", "archived": "yes"},
        {"title": "t", "body": ["list"]},
        {"title": "t", "tags": [1]},
        {"title": "t", "titel": "typo"},
    ],
)
def test_create_is_strict_about_json_types(client, payload):
    assert client.post("/api/v1/notes/", payload, format="json").status_code == 400
    assert not Note.objects.exists()


def test_lone_surrogates_are_400(client):
    response = client.post("/api/v1/notes/", data='{"title": "t\\ud800"}', content_type="application/json")
    assert response.status_code == 400 and "title" in response.json()["error"]["fields"]


def test_version_must_be_a_json_integer(client):
    note = create(client, title="V")
    response = client.patch(f"/api/v1/notes/{note['id']}/", {"body": "x", "version": "1"}, format="json")
    assert response.status_code == 400 and "version" in response.json()["error"]["fields"]


def test_blank_query_parameters_are_400(client):
    for url in ["/api/v1/notes/?tag=", "/api/v1/graph/?page=", "/api/v1/search/?q=", "/api/v1/tags/?prefix="]:
        response = client.get(url)
        assert response.status_code == 400, url


def test_non_numeric_ids_and_forms_are_json_errors(client):
    response = client.delete("/api/v1/trash/null,null/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.patch("/api/v1/notes/abc/", {"body": "x"}, format="json").status_code == 404
    form = client.post("/api/v1/notes/", {"title": "form"})
    assert form.status_code == 415


def test_empty_if_match_is_ignored(client):
    note = create(client, title="E")
    response = client.patch(f"/api/v1/notes/{note['id']}/", {"body": "x"}, format="json", HTTP_IF_MATCH="")
    assert response.status_code == 200
    bad = client.patch(f"/api/v1/notes/{note['id']}/", {"body": "y"}, format="json", HTTP_IF_MATCH="garbage")
    assert bad.status_code == 400 and "If-Match" in bad.json()["error"]["fields"]


def test_a_request_beyond_the_request_limit_is_413_naming_the_limit_not_a_field(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = json.dumps({"title": "big", "body": "a" * 2000})
    response = client.post("/api/v1/notes/", data=payload, content_type="application/json")
    assert response.status_code == 413
    assert (
        response.json()["error"]["message"] == "The request body is larger than 1000 bytes, the limit for this request."
    )
    assert response.json()["error"]["fields"] == {}
    assert not Note.objects.exists()
