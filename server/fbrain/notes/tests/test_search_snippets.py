"""Snippets: plain text around the hits, no Markdown syntax or front matter, escaped, hits in <mark>, bounded."""

import re
import time

import pytest

from fbrain.notes.search import snippets
from fbrain.notes.search.snippets import simple_snippet, snippet_html, to_plain


def marks(snippet):
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def test_snippet_escapes_html_and_marks_the_hits():
    snippet = simple_snippet("Tom & Jerry: keyword <script>alert('x')</script> done", ["keyword"])
    assert "<script" not in snippet and "&amp;" in snippet
    assert marks(snippet) == ["keyword"]
    assert re.sub(r"</?mark>", "", snippet) == "Tom &amp; Jerry: keyword alert(&#x27;x&#x27;) done"


def test_snippet_shows_no_markdown_syntax():
    body = (
        "# The budget heading ##\n\n"
        "Some **bold budget** and _em_ and `code budget` and ~~gone~~ ==marked==.\n\n"
        "- [ ] a task about the budget\n"
        "> quoted budget\n\n"
        "See [the budget plan](https://example.com/budget) and ![a chart](chart.png) and [[Budget 2024|last year]]"
        " and [[Budget 2023#Totals]] and ![[embedded.png]] [^1]\n\n"
        "| item | budget |\n|---|:--:|\n| rent | 10 |\n\n"
        "```python\nbudget = 1\n```\n"
    )
    snippet = simple_snippet(body, ["budget"], max_chars=1000)
    plain = re.sub(r"</?mark>", "", snippet)
    for syntax in ("#", "**", "`", "~~", "==", "[", "]", "(", ")", "|", "---", "![", "chart.png", "https:"):
        assert syntax not in plain, syntax
    assert "The budget heading" in plain
    assert "the budget plan" in plain and "last year" in plain and "Budget 2023 &gt; Totals" in plain
    assert "item budget rent 10" in plain and "budget = 1" in plain
    assert marks(snippet).count("budget") >= 8 and "Budget" in marks(snippet)


def test_snippet_marks_hits_inside_links_and_wikilink_aliases_only_in_their_text():
    snippet = simple_snippet("Read [this volcano page](https://volcano.example/) or [[Volcanoes|that one]].", ["volc"])
    assert marks(snippet) == ["volcano"]
    assert "that one" in snippet and "example" not in snippet


def test_snippet_matches_accents_case_and_prefixes_like_the_search():
    snippet = simple_snippet("Le budget de l'ÉTÉ est validé; cafe\u0301 crème.", ["ete", "VALID", "café", "creme"])
    assert marks(snippet) == ["ÉTÉ", "validé", "cafe\u0301", "crème"]
    assert marks(simple_snippet("validation valid", ["valid"], prefix=False)) == ["valid"]
    # A term only matches at the start of a word (`_` and punctuation separate words).
    assert marks(simple_snippet("unvalid snake_case valid", ["valid", "case"])) == ["case", "valid"]


def test_snippet_never_shows_the_front_matter():
    body = "---\ntitle: Secret budget\ntags: [budget]\n---\nThe body talks about other things."
    snippet = simple_snippet(body, ["budget"])
    assert snippet == "The body talks about other things."
    assert simple_snippet("---\nonly: front matter\n---\n", ["front"]) == ""


def test_snippet_cuts_a_window_around_the_first_hit():
    body = "lead words " * 100 + "the needle is here " + "tail words " * 100
    snippet = simple_snippet(body, ["needle"])
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert marks(snippet) == ["needle"]
    assert len(snippet) < 260
    # The hit comes early: a little text before it, the rest after.
    assert snippet.index("<mark>") < 80


def test_snippet_without_a_hit_shows_the_start():
    assert simple_snippet("no match here", ["zzz"]) == "no match here"
    assert simple_snippet("## Heading\nfirst *line*", []) == "Heading first line"
    long = simple_snippet("word " * 500, ["zzz"])
    assert not long.startswith("…") and long.endswith(" …")


def test_snippet_cost_does_not_grow_with_the_body(monkeypatch):
    cleaned = []
    real = snippets.to_plain

    def counting(text):
        cleaned.append(len(text))
        return real(text)

    monkeypatch.setattr(snippets, "to_plain", counting)
    huge = ("[link](http://x) **bold** word " * 40_000) + "needle"
    started = time.perf_counter()
    snippet = simple_snippet(huge, ["needle", "zzz"])
    elapsed = time.perf_counter() - started
    # The hit lies past the scanned head: the snippet is the start, cleaned from a bounded window.
    assert not marks(snippet) and max(cleaned) <= snippets.WINDOW_AFTER
    assert elapsed < 0.5
    near = "word " * 10_000 + "needle " + "[x](y) " * 200_000
    cleaned.clear()
    assert marks(simple_snippet(near, ["needle"])) == ["needle"]
    assert max(cleaned) <= snippets.WINDOW_BEFORE + snippets.WINDOW_AFTER + len("needle")


@pytest.mark.parametrize(
    "text",
    ["<", "&", "[[", "]]", "[a](", "**", "`", "\x00", "\\", "---\n", "\ue000x\ue001", "é" * 3000, "🙂 emoji 🙂"],
)
def test_snippet_survives_odd_text(text):
    snippet = simple_snippet(text + " needle " + text, ["needle", "🙂", "_", ""])
    assert "<mark>needle</mark>" in snippet
    assert "<" not in re.sub(r"</?mark>", "", snippet)


def test_to_plain_keeps_escaped_punctuation_and_drops_rules():
    assert to_plain(r"\*not emphasis\* and 2 \| 3") == "*not emphasis* and 2 | 3"
    assert to_plain("a\n\n***\n\nb\n===\n<!-- hidden -->c <https://a.b/c>") == "a b c https://a.b/c"


def test_snippet_html_marks_the_private_use_delimiters():
    assert snippet_html("a < b \ue000c\ue001") == "a &lt; b <mark>c</mark>"
