"""Every query parameter of the pages is checked like the API's: a bad value is a 400 naming it, never a 500."""

from __future__ import annotations

import pytest

from fbrain.notes import services
from fbrain.notes.models import Revision

HUGE = "99999999999999999999"
NUL = "a%00b"

# (page, parameter, bad value): each page with each of its parameters, at the value that used to fail.
CASES = [
    ("/notes/", "tag", NUL),
    ("/notes/", "kind", "weird"),
    ("/notes/", "sort", "sideways"),
    ("/notes/", "pinned", "maybe"),
    ("/notes/", "archived", "maybe"),
    ("/notes/", "page", HUGE),
    ("/notes/", "page", "0"),
    ("/notes/", "page", "two"),
    ("/notes/new/", "title", NUL),
    ("/notes/titles", "q", NUL),
    ("/notes/tags", "q", NUL),
    ("/graph/", "tag", NUL),
    ("/graph/data", "tag", NUL),
    ("/search/?q=a&", "page", HUGE),
    ("/search/?q=a&", "page", "two"),
    ("/search/", "q", NUL),
    ("/search/?q=a&", "tag", NUL),
    ("/search/?q=a&", "kind", "weird"),
    ("/search/?q=a&", "pinned", "maybe"),
    ("/search/?q=a&", "archived", "maybe"),
    ("/search/?q=a&", "from", "nonsense"),
    ("/search/?q=a&", "to", "2024-13-45"),
    ("/search/", "q", "x" * 501),
    ("/bookmarks/", "status", "lost"),
    ("/bookmarks/", "page", HUGE),
    ("/trash/", "page", HUGE),
    ("{revision}", "against", HUGE),
    ("{revision}", "against", "first"),
]


@pytest.fixture
def revision_url(member):
    note = services.note_create(owner=member, title="History", body="one")
    services.note_update(note=note, body="two")
    revision = Revision.objects.get(note=note)
    return f"/notes/{note.pk}/history/{revision.pk}/"


def _url(page: str, name: str, value: str, revision_url: str) -> str:
    page = page.replace("{revision}", revision_url)
    separator = "" if page.endswith("&") else "?"
    return f"{page}{separator}{name}={value}"


@pytest.mark.parametrize(("page", "name", "value"), CASES)
def test_a_bad_query_parameter_is_a_400_page_naming_it(signed_in, revision_url, page, name, value):
    response = signed_in.get(_url(page, name, value, revision_url))
    assert response.status_code == 400, response.content[:300]
    html = response.content.decode()
    assert "Bad request" in html
    assert f"{name}: " in html


@pytest.mark.parametrize(
    "url",
    [
        "/notes/?tag=&kind=&pinned=&archived=&page=2",
        "/notes/?sort=title&pinned=yes&archived=no",
        "/search/?q=one&tag=&kind=&pinned=&archived=&from=&to=",
        "/search/?q=one&page=10000&from=2000-01-01&to=2999-12-31",
        "/bookmarks/?status=&page=",
        "/trash/?page=3",
        "/notes/titles?q=%20",
        "/notes/tags?q=%23ta",
        "/graph/data?tag=",
    ],
)
def test_blank_and_valid_values_still_work(signed_in, url):
    assert signed_in.get(url).status_code == 200


def test_an_unknown_revision_to_compare_against_is_a_404(signed_in, revision_url):
    assert signed_in.get(f"{revision_url}?against=123456789").status_code == 404
