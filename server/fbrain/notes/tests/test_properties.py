"""Property tests (Hypothesis) of the link/tag parser and the Markdown sanitiser.

The parser must never crash on any text, never find links or tags inside code, and find exactly what a
well-formed `[[link]]` or `#tag` says; the sanitiser must let no script, event handler or dangerous URL
through, whatever the input.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fbrain.notes.models import TITLE_MAX_LENGTH
from fbrain.notes.parsing import (
    TAG_NAME_RE,
    ParseError,
    normalize_tag_name,
    parse_body,
    rewrite_links,
)
from fbrain.notes.rendering import render_markdown, sanitize

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Titles as people write them: any letters (accents, CJK), digits, spaces and harmless punctuation; none of
# the characters that end or split a link (`[`, `]`, `|`, `#`, newline).
title_chars = st.characters(
    codec="utf-8", categories=("L", "N", "Zs", "Pd", "Po"), exclude_characters="[]|#\n\r\t\x0b\x0c\x1c\x1d\x1e\x85"
)
titles = st.text(title_chars, min_size=1, max_size=60).filter(lambda t: t.strip() != "")
tag_part = st.text(st.characters(categories=("L", "N"), exclude_characters="\u0130"), min_size=1, max_size=12)
tag_names = (
    st.lists(tag_part, min_size=1, max_size=3)
    .map("/".join)
    .filter(lambda name: not name.replace("/", "").isdigit() and TAG_NAME_RE.match(name) is not None)
)
# Code content: anything but backticks and tildes (which could close the fence early).
code_text = st.text(st.characters(codec="utf-8", exclude_characters="`~\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<svg onload=alert(1)>",
    "<iframe src=https://example.com></iframe>",
    "<style>body{display:none}</style>",
    "<object data=x></object>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form action=https://evil.example><input name=q></form>",
    "[[<script>alert(1)</script>]]",
    "[[x|<img src=x onerror=alert(1)>]]",
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]
markdown_bodies = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.sampled_from(["\n", "\n\n", "> ", "- ", "# "])),
    max_size=12,
).map("".join)

FORBIDDEN_TAGS = {"script", "iframe", "style", "object", "embed", "svg", "math", "form", "base", "meta", "link"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _elements(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector.elements


def _assert_safe(markup: str) -> None:
    for tag, attrs in _elements(markup):
        assert tag not in FORBIDDEN_TAGS, markup
        for name, value in attrs:
            assert not name.startswith("on"), markup
            if name == "style":
                assert "url(" not in (value or "").lower(), markup
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                url = "".join(html.unescape(value).split()).lower()
                assert ":" not in url.split("/")[0] or url.startswith(SAFE_SCHEMES), markup


# ------------------------------------------------------------------------------------------ parser
@PROPERTY_SETTINGS
@given(st.text(max_size=400))
@example("---\ntags: [a, 1]\n---\n")
@example("[[]]![[|]][[#]]#/#-#_")
def test_parse_body_never_crashes_and_returns_valid_links_and_tags(body):
    try:
        parsed = parse_body(body)
    except ParseError:
        return
    for link in parsed.links:
        assert link.title == link.title.strip() and 0 < len(link.title) <= TITLE_MAX_LENGTH
        assert "[" not in link.title and "]" not in link.title and "\n" not in link.title
        assert body[link.start : link.end].rstrip("]").endswith(link.alias or link.heading or link.title.rstrip())
    for tag in parsed.all_tags:
        assert normalize_tag_name(tag) == tag
    assert len({t.lower() for t in parsed.all_tags}) == len(parsed.all_tags)


@PROPERTY_SETTINGS
@given(code_text, st.sampled_from(["```", "~~~", "````"]))
def test_nothing_inside_a_fenced_code_block_is_a_link_or_tag(code, fence):
    body = f"{fence}\n{code}\n{fence}\n"

    parsed = parse_body(body)

    assert parsed.links == []
    assert parsed.tags == []


@PROPERTY_SETTINGS
@given(st.text(st.characters(exclude_characters="`\n\r"), min_size=1, max_size=60).filter(lambda t: t.strip()))
def test_nothing_inside_inline_code_is_a_link_or_tag(code):
    parsed = parse_body(f"before `{code}` after")

    assert parsed.links == []
    assert parsed.tags == []


@PROPERTY_SETTINGS
@given(titles, st.one_of(st.just(""), titles), st.one_of(st.just(""), titles), st.booleans())
def test_a_wiki_link_is_found_with_its_title_alias_heading_and_embed(title, alias, heading, embed):
    text = "!" * embed + "[[" + title + (f"#{heading}" if heading else "") + (f"|{alias}" if alias else "") + "]]"
    body = f"Intro {text} outro"

    links = parse_body(body).links

    assert len(links) == 1
    link = links[0]
    assert link.title == title.strip()
    assert link.alias == alias.strip()
    assert link.heading == heading.strip()
    assert link.embed is embed
    assert body[link.start : link.end] == text


@PROPERTY_SETTINGS
@given(tag_names)
def test_a_hashtag_is_found_but_not_in_a_url_or_a_word(name):
    found = parse_body(f"A note about #{name} today").tags
    in_url = parse_body(f"See https://example.com/page#{name} and <https://x.test/#{name}>").tags
    in_word = parse_body(f"word#{name}").tags

    assert [t.lower() for t in found] == [name.lower()]
    assert in_url == []
    assert in_word == []


@PROPERTY_SETTINGS
@given(titles, titles, st.lists(st.sampled_from(["plain", "alias", "heading", "embed", "code"]), max_size=6))
def test_rewrite_links_renames_every_link_outside_code_and_nothing_else(old, new, kinds):
    old, new = old.strip(), new.strip()
    parts = []
    for kind in kinds:
        parts.append(
            {
                "plain": f"[[{old}]]",
                "alias": f"[[{old}|shown]]",
                "heading": f"[[{old}#Part]]",
                "embed": f"![[{old}]]",
                "code": f"`[[{old}]]`",
            }[kind]
        )
    body = "text " + " and ".join(parts) + " [[Other note]] end"
    expected = sum(kind != "code" for kind in kinds)

    rewritten = rewrite_links(body, old, new)
    links = parse_body(rewritten).links

    renamed = [link for link in links if link.title == new]
    if new.lower() != "other note":
        assert len(renamed) == expected
    assert any(link.title == "Other note" for link in links)
    if "code" in kinds:
        assert f"`[[{old}]]`" in rewritten


# ------------------------------------------------------------------------------------------ sanitiser
@PROPERTY_SETTINGS
@given(markdown_bodies)
@example("".join(HOSTILE))
def test_rendered_markdown_never_carries_script_handlers_or_dangerous_urls(body):
    _assert_safe(render_markdown(body))


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=5).map("".join), st.text(max_size=60))
def test_sanitize_removes_every_hostile_fragment_of_raw_html(hostile, text):
    cleaned = sanitize(text + hostile + text)

    _assert_safe(cleaned)
    assert sanitize(cleaned) == cleaned


@PROPERTY_SETTINGS
@given(titles)
def test_a_wiki_link_title_is_escaped_in_the_html(title):
    rendered = render_markdown(f"[[{title}<script>x</script>]]")

    _assert_safe(rendered)
    assert "<script>" not in rendered
