import pytest

from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.tests.factories import make_bookmark
from fbrain.core.tests.factories import UserFactory
from fbrain.notes.services import note_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_post_bookmark_answers_201_pending_then_captures(
    client, page_server, allow_local, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/bookmarks",
            {"url": page_server.url("/page"), "tags": ["web"], "note": "Why I saved it"},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["note"] == "Why I saved it"
    assert response["Location"] == f"/api/v1/bookmarks/{body['id']}"
    detail = client.get(f"/api/v1/bookmarks/{body['id']}").json()
    assert detail["status"] == "captured"
    assert detail["title"] == "The Art of Linking Notes"
    assert detail["language"] == "en-GB"
    assert "Serendipity" in detail["text"]


def test_post_bookmark_runs_few_queries(client, user, django_assert_num_queries):
    note_create(owner=user, title="Earlier")  # the owner's first write also creates the content stamp
    # Savepoint, URL look-up, note savepoint, note insert (with its search vector), resolve links, content
    # stamp, release, bookmark insert, release: the placeholder title needs no look-up of its own while free.
    with django_assert_num_queries(9):
        response = client.post("/api/v1/bookmarks", {"url": "http://127.0.0.1:9/counted"}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == "127.0.0.1/counted"


def test_post_many_bookmarks_with_one_placeholder_title_never_conflicts(client):
    for number in range(60):
        response = client.post("/api/v1/bookmarks", {"url": f"http://127.0.0.1:9/q?page={number}"}, format="json")
        assert response.status_code == 201, response.content
    assert response.json()["title"] == "127.0.0.1/q (60)"


def test_post_the_same_url_twice_answers_200_with_the_existing_bookmark(client):
    first = client.post("/api/v1/bookmarks", {"url": "http://127.0.0.1:9/x"}, format="json")
    second = client.post("/api/v1/bookmarks", {"url": "HTTP://127.0.0.1:9/x#again"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "not a url", "", "http://u:p@host.test/"])
def test_post_bookmark_refuses_bad_urls_with_field_errors(client, url):
    response = client.post("/api/v1/bookmarks", {"url": url}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]


def test_post_bookmark_with_bad_tags_is_a_400(client):
    response = client.post("/api/v1/bookmarks", {"url": "http://127.0.0.1:9/t", "tags": ["bad tag!"]}, format="json")
    assert response.status_code == 400
    assert Bookmark.objects.count() == 0


def test_recapture_marks_pending_and_captures_again(
    client, user, page_server, allow_local, django_capture_on_commit_callbacks
):
    bookmark = make_bookmark(owner=user, url=page_server.url("/page"))
    Bookmark.objects.filter(pk=bookmark.pk).update(status="failed", failure_reason="x", failure_code="timeout")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/bookmarks/{bookmark.pk}/recapture")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    bookmark.refresh_from_db()
    assert bookmark.status == "captured"
    assert bookmark.failure_reason == ""


def test_bookmarks_of_another_user_are_404(client):
    other = make_bookmark(owner=UserFactory(), url="http://127.0.0.1:9/secret")
    assert client.get(f"/api/v1/bookmarks/{other.pk}").status_code == 404
    assert client.post(f"/api/v1/bookmarks/{other.pk}/recapture").status_code == 404
    assert client.get("/api/v1/bookmarks").json()["results"] == []


def test_list_bookmarks_filters_and_keeps_a_constant_query_count(client, user, django_assert_max_num_queries):
    for index in range(5):
        make_bookmark(owner=user, url=f"http://127.0.0.1:9/{index}")
    Bookmark.objects.filter(normalized_url__endswith="/0").update(status="failed", failure_reason="gone")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/bookmarks?page_size=2")
    assert len(response.json()["results"]) == 2
    assert response.json()["next"]
    assert len(client.get("/api/v1/bookmarks?status=failed").json()["results"]) == 1
    assert len(client.get("/api/v1/bookmarks?dead=false").json()["results"]) == 5
    assert client.get("/api/v1/bookmarks?status=nope").status_code == 400
    assert client.get("/api/v1/bookmarks?dead=null").status_code == 400
    assert client.get("/api/v1/bookmarks?page_size=0").status_code == 400
    assert client.get("/api/v1/bookmarks?page_size=101").status_code == 400


def test_anonymous_requests_are_refused(api_client):
    assert api_client.get("/api/v1/bookmarks").status_code in (401, 403)


@pytest.mark.parametrize(
    "field, value",
    [("title", "t" * 200 + " "), ("url", "http://example.com/" + "a" * 1981 + " "), ("tags", ["x" * 100 + " "])],
)
def test_post_bookmark_counts_lengths_before_trimming(client, field, value):
    data = {"url": "http://example.com/page", field: value}
    response = client.post("/api/v1/bookmarks", data, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
