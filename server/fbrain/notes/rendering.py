"""Markdown to safe HTML: CommonMark + GitHub tables, strikethrough and task lists, wiki links, nh3 sanitising."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import nh3
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from fbrain.notes.parsing import WIKILINK_RE, _parse_link

CACHE_SECONDS = 7 * 24 * 3600

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "input", "kbd", "label", "li", "mark", "ol", "p", "pre", "s", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "data-note-id"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled", "class"},
    "li": {"class"},
    "ul": {"class"},
    "code": {"class"},
    "span": {"class"},
    "th": {"align", "style"},
    "td": {"align", "style"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# `title -> note id` (lower-cased titles) of the resolved links of the note being rendered.
LinkTargets = Mapping[str, int]


def note_url(note_id: int) -> str:
    """Where the browser shows a note (the UI's `notes:detail`, else the conventional path)."""
    try:
        return reverse("notes:detail", args=[note_id])
    except NoReverseMatch:
        return f"/notes/{note_id}/"


def new_note_url(title: str) -> str:
    """Where the browser creates the note a pending link names."""
    try:
        base = reverse("notes:create")
    except NoReverseMatch:
        base = "/notes/new/"
    return f"{base}?{urlencode({'title': title})}"


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] not in "![":
        return False
    match = WIKILINK_RE.match(state.src, start)
    if match is None:
        return False
    link = _parse_link(match)
    if link is None:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"title": link.title, "alias": link.alias, "heading": link.heading, "embed": link.embed}
    state.pos = match.end()
    return True


def _render_wikilink(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    targets: LinkTargets = env.get("link_targets", {})
    label = meta["alias"] or (f"{meta['title']} > {meta['heading']}" if meta["heading"] else meta["title"])
    classes = "wikilink wikilink-embed" if meta["embed"] else "wikilink"
    note_id = targets.get(meta["title"].lower())
    if note_id is None:
        href = new_note_url(meta["title"])
        return f'<a href="{escape(href)}" class="{classes} wikilink-pending">{escape(label)}</a>'
    href = note_url(note_id)
    return f'<a href="{escape(href)}" class="{classes}" data-note-id="{note_id}">{escape(label)}</a>'


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(tasklists_plugin, enabled=False)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("front_matter", lambda *_args: "")
    return md


_parser = _make_parser()


def sanitize(html: str) -> str:
    """Only harmless markup: no script, no event handler, no `javascript:` URL."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def render_markdown(body: str, *, link_targets: LinkTargets | None = None) -> str:
    """Safe HTML for a Markdown body; `link_targets` maps lower-cased titles of resolved links to note ids."""
    env: dict[str, Any] = {"link_targets": link_targets or {}}
    return sanitize(_parser.render(body, env))


def render_cached(*, note_id: int, version: int, body: str, link_targets: LinkTargets) -> str:
    """`render_markdown`, cached per note version and state of its links (a link resolving changes the key)."""
    state = hashlib.sha256(repr(sorted(link_targets.items())).encode()).hexdigest()[:16]
    key = f"notes:html:v1:{note_id}:{version}:{state}"
    html = cache.get(key)
    if html is None:
        html = render_markdown(body, link_targets=link_targets)
        cache.set(key, html, CACHE_SECONDS)
    return str(html)
