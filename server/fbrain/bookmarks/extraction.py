"""Turn a fetched page into bookmark fields: trafilatura for the readable text, lxml for head metadata."""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.utils import decode_file

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000
MAX_TITLE_CHARS = 200
MAX_FIELD_CHARS = 1000
_PARSER = lxml.html.HTMLParser(encoding="utf-8")
# Bookmarks keep no page date: skip htmldate's search of the whole text for one (about half the extraction time).
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class Extracted:
    title: str = ""
    description: str = ""
    site_name: str = ""
    language: str = ""
    canonical_url: str = ""
    text: str = ""


def decode_body(body: bytes, charset: str | None) -> str:
    """Decode with the declared charset when it is a real one, else let trafilatura's detection decide."""
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = None
    if charset:
        return body.decode(charset, errors="replace")
    return decode_file(body)


def _clip(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _head_metadata(document: lxml.html.HtmlElement, base_url: str) -> tuple[str, str]:
    language = document.get("lang") or document.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not language:
        for meta in document.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language":
                language = meta.get("content") or ""
                break
    canonical = ""
    for link in document.xpath("//link[@rel][@href]"):
        if "canonical" in link.get("rel", "").lower().split():
            href = link.get("href", "").strip()
            if href and urlsplit(urljoin(base_url, href)).scheme in ("http", "https"):
                canonical = urljoin(base_url, href)
            break
    return language.split(",")[0].strip()[:35], canonical[:2000]


def _declared_title(document: lxml.html.HtmlElement) -> str:
    """The title the page gives itself: `og:title`, else `<title>`; "" when it names none."""
    for meta in document.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:title":
            content = " ".join((meta.get("content") or "").split())
            if content:
                return content
    for element in document.iter("title"):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return ""


def extract_html(html: str, url: str) -> Extracted:
    """Title, description, site name, language, canonical URL and main text of an HTML page."""
    if not html.strip():
        return Extracted()
    try:
        # Encode first: lxml refuses str input that carries an XML encoding declaration (XHTML).
        document = lxml.html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return Extracted()
    language, canonical = _head_metadata(document, url)
    title = description = site_name = text = ""
    try:
        result = trafilatura.bare_extraction(
            document, url=url, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
        )
    except Exception:  # the extractor is third-party code on hostile input; metadata still counts
        logger.warning("trafilatura failed on %s", url, exc_info=True)
        result = None
    if result is not None:
        # trafilatura's title may be the first <h1>: only a fallback for pages that declare none.
        title = getattr(result, "title", None) or ""
        description = getattr(result, "description", None) or ""
        site_name = getattr(result, "sitename", None) or ""
        text = getattr(result, "text", None) or ""
    title = _declared_title(document) or title
    return Extracted(
        title=_clip(title, MAX_TITLE_CHARS),
        description=_clip(description, MAX_FIELD_CHARS),
        site_name=_clip(site_name, MAX_TITLE_CHARS),
        language=language,
        canonical_url=canonical,
        text=text.strip()[:MAX_TEXT_CHARS],
    )


def extract_text(text: str, url: str) -> Extracted:
    """A plain-text page: its first non-empty line is the title."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return Extracted(title=_clip(first_line, MAX_TITLE_CHARS), text=text.strip()[:MAX_TEXT_CHARS])


def extract(body: bytes, *, content_type: str, charset: str | None, url: str) -> Extracted:
    """Dispatch on the content type the fetcher saw."""
    decoded = decode_body(body, charset)
    if content_type == "text/plain":
        return extract_text(decoded, url)
    return extract_html(decoded, url)
