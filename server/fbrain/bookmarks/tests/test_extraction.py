from fbrain.bookmarks.extraction import decode_body, extract
from fbrain.bookmarks.tests.fixture_server import ARTICLE


def test_extract_reads_metadata_and_main_text():
    page = extract(ARTICLE.encode(), content_type="text/html", charset="utf-8", url="https://zettel.test/a?x=1")
    assert page.title == "The Art of Linking Notes"
    assert page.description == "Why small linked notes beat big folders."
    assert page.site_name == "Zettel Weekly"
    assert page.language == "en-GB"
    assert page.canonical_url == "https://zettel.test/articles/linking"
    assert "Backlinks show where an idea was used before" in page.text
    assert "Subscribe" not in page.text


def test_extract_handles_xhtml_with_an_encoding_declaration():
    body = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        '<head><title>T\u00e9st</title><meta http-equiv="Content-Language" content="de, en"/></head>'
        "<body><p>Hallo Welt</p></body></html>"
    ).encode()
    page = extract(body, content_type="application/xhtml+xml", charset=None, url="http://a.test/")
    assert page.title == "Tést"
    assert page.language == "de"


def test_extract_uses_the_declared_charset_and_ignores_bogus_ones():
    assert decode_body("Café".encode("latin-1"), "iso-8859-1") == "Café"
    assert decode_body("Café".encode(), "no-such-charset") == "Café"


def test_extract_plain_text_takes_the_first_line_as_title():
    page = extract(b"\n  First line\nmore\n", content_type="text/plain", charset=None, url="http://a.test/x.txt")
    assert page.title == "First line"
    assert page.text.startswith("First line")


def test_extract_survives_empty_and_garbage_input():
    assert extract(b"", content_type="text/html", charset=None, url="http://a.test/").title == ""
    page = extract(b"\x00\x01<<<>>>", content_type="text/html", charset=None, url="http://a.test/")
    assert page.canonical_url == ""


def test_extract_ignores_non_http_canonical_links():
    html = b'<html><head><link rel="canonical" href="javascript:alert(1)"><title>x</title></head><body></body></html>'
    assert extract(html, content_type="text/html", charset="utf-8", url="http://a.test/").canonical_url == ""
