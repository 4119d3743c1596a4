import pytest

from fbrain.bookmarks.normalize import clean_url, normalize_url, title_from_url
from fbrain.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a?b=2&a=1#frag", "http://example.com/a?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8443/x?utm_source=x&fbclid=1&id=3", "https://example.com:8443/x?id=3"),
        ("https://Bücher.example/ä b", "https://xn--bcher-kva.example/%C3%A4%20b"),
        ("http://[2606:4700::1]:80/", "http://[2606:4700::1]/"),
    ],
)
def test_normalize_url_makes_equivalent_urls_equal(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://x.test/",
        "javascript:alert(1)",
        "http:///nohost",
        "http://u:p@x.test/",
        "http://x.test:99999/",
        "http://x.test/a\nb",
        "http://x.test/" + "a" * 2000,
    ],
)
def test_clean_url_refuses_what_cannot_be_bookmarked(url):
    with pytest.raises(ValidationFailed) as caught:
        clean_url(url)
    assert "url" in caught.value.fields


def test_title_from_url_uses_host_and_path():
    assert title_from_url("https://example.com/a/b?x") == "example.com/a/b"
    assert title_from_url("https://example.com/") == "example.com"
