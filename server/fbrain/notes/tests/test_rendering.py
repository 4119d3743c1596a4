import re

import pytest
from django.core.cache import cache

from fbrain.notes.rendering import new_note_url, note_url, render_cached, render_markdown


def test_render_markdown_supports_tables_strikethrough_and_task_lists():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n")
    assert "<table>" in html and "<td>1</td>" in html
    assert "<s>gone</s>" in html
    assert 'type="checkbox"' in html and "checked" in html


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.test"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<svg onload=alert(1)>",
    ],
)
def test_render_markdown_strips_scripts_handlers_and_javascript_urls(evil):
    html = render_markdown(evil).lower()
    assert "<script" not in html
    assert "onerror" not in html and "onload" not in html
    assert not re.search(r"=\s*[\"']?\s*javascript:", html)
    assert "<iframe" not in html


def test_render_markdown_links_resolved_and_pending_wiki_links():
    html = render_markdown("[[Known|shown]] and [[Unknown Note#Part]] and ![[Known]]", link_targets={"known": 7})
    assert f'href="{note_url(7)}"' in html and ">shown</a>" in html
    assert 'class="wikilink wikilink-pending"' in html
    assert "Unknown Note &gt; Part" in html
    assert new_note_url("Unknown Note").replace("&", "&amp;") in html
    assert "wikilink-embed" in html


def test_render_markdown_hides_front_matter_and_escapes_link_labels():
    html = render_markdown("---\ntags: [x]\n---\n[[<b>bold</b>]]")
    assert "tags" not in html
    assert "<b>bold</b>" not in html


def test_render_markdown_leaves_wiki_links_in_code_alone():
    assert "wikilink" not in render_markdown("`[[Alpha]]`\n\n```\n[[Beta]]\n```")


def test_render_cached_keys_on_version_and_link_state():
    cache.clear()
    first = render_cached(note_id=1, version=1, body="[[A]]", link_targets={})
    assert "pending" in first
    assert render_cached(note_id=1, version=1, body="changed but same version", link_targets={}) == first
    resolved = render_cached(note_id=1, version=1, body="[[A]]", link_targets={"a": 2})
    assert "pending" not in resolved
