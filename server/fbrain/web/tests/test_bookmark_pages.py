"""Bookmark pages: add, duplicate, errors, the polled row, recapture, note view panel, quick capture."""

from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.services import bookmark_create
from fbrain.web.templatetags.web_extras import colour_class, host, initials


def test_add_bookmark_shows_it_pending_with_polling(signed_in, member):
    response = signed_in.post("/bookmarks/", {"url": "https://www.example.org/post", "tags": "#read, later"})
    assert response.status_code == 302
    bookmark = Bookmark.objects.get(owner=member)
    assert sorted(nt.tag.name for nt in bookmark.note.note_tags.all()) == ["later", "read"]
    html = signed_in.get("/bookmarks/").content.decode()
    assert "example.org" in html
    assert f'hx-get="/bookmarks/{bookmark.pk}/row"' in html
    assert "Pending" in html


def test_same_url_again_shows_the_existing_one(signed_in, member):
    signed_in.post("/bookmarks/", {"url": "https://example.org/a"})
    response = signed_in.post("/bookmarks/", {"url": "https://example.org/a"}, follow=True)
    assert "already had this bookmark" in response.content.decode()
    assert Bookmark.objects.filter(owner=member).count() == 1


def test_bad_url_is_a_field_error_and_keeps_input(signed_in):
    response = signed_in.post("/bookmarks/", {"url": "ftp://example.org/file", "tags": "x"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_url_error"' in html
    assert 'value="ftp://example.org/file"' in html


def test_captured_row_stops_polling_and_offers_recapture(signed_in, member):
    bookmark = bookmark_create(owner=member, url="https://example.org/b").bookmark
    Bookmark.objects.filter(pk=bookmark.pk).update(status="captured", site_name="Example Site", description="Hi")
    html = signed_in.get(f"/bookmarks/{bookmark.pk}/row").content.decode()
    assert "hx-get" not in html
    assert "Captured" in html
    assert ">ES<" in html
    response = signed_in.post(f"/bookmarks/{bookmark.pk}/recapture", headers={"HX-Request": "true"})
    assert "Pending" in response.content.decode()
    bookmark.refresh_from_db()
    assert bookmark.status == "pending"


def test_failed_row_says_why(signed_in, member):
    bookmark = bookmark_create(owner=member, url="https://example.org/c").bookmark
    Bookmark.objects.filter(pk=bookmark.pk).update(status="failed", failure_reason="The server answered 404.")
    assert "The server answered 404." in signed_in.get("/bookmarks/?status=failed").content.decode()
    assert "No bookmarks with this status" in signed_in.get("/bookmarks/?status=captured").content.decode()


def test_recapture_without_htmx_goes_back_safely(signed_in, member):
    bookmark = bookmark_create(owner=member, url="https://example.org/d").bookmark
    Bookmark.objects.filter(pk=bookmark.pk).update(status="captured")
    back = signed_in.post(f"/bookmarks/{bookmark.pk}/recapture", {"next": f"/notes/{bookmark.pk}/"})
    assert back["Location"] == f"/notes/{bookmark.pk}/"
    evil = signed_in.post(f"/bookmarks/{bookmark.pk}/recapture", {"next": "https://evil.example/"})
    assert evil["Location"] == "/bookmarks/"


def test_note_view_of_a_bookmark_shows_the_page_panel(signed_in, member):
    bookmark = bookmark_create(owner=member, url="https://example.org/e").bookmark
    html = signed_in.get(f"/notes/{bookmark.pk}/").content.decode()
    assert 'id="bookmark-panel"' in html
    assert "https://example.org/e" in html
    assert 'hx-trigger="every 2s"' in html


def test_quick_capture_of_a_url_makes_a_bookmark(signed_in, member):
    response = signed_in.post("/capture", {"text": "  https://example.org/quick  "})
    bookmark = Bookmark.objects.get(owner=member)
    assert response["Location"] == f"/notes/{bookmark.pk}/"
    assert bookmark.url == "https://example.org/quick"
    again = signed_in.post("/capture", {"text": "https://example.org/quick"}, follow=True)
    assert "Already bookmarked" in again.content.decode()


def test_quick_capture_of_a_bad_url_is_an_error(signed_in):
    response = signed_in.post("/capture", {"text": "https://"})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()


def test_site_filters():
    assert host("https://www.Example.org/x") == "example.org"
    assert initials("Zettel Weekly") == "ZW"
    assert initials("example.org") == "E"
    assert initials("--") == "?"
    assert colour_class("example.org") == colour_class("EXAMPLE.org")
