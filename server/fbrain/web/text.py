"""Plain-text helpers for pages: backlink context sentences, tag trees, unified diffs, quick-capture titles."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

CONTEXT_CHARS = 220
_MARKUP_RE = re.compile(r"[*_`>#]+|^\s*[-+]\s+(\[[ xX]\]\s+)?|^\s*\d+\.\s+", re.MULTILINE)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Context:
    """The words around a link: `before`, the link text `match`, `after` (all plain text, escaped by templates)."""

    before: str
    match: str
    after: str


def link_context(body: str, title: str) -> Context | None:
    """The sentence of `body` that links to `title` (`[[title]]`, `[[title|alias]]`, `[[title#h]]`)."""
    pattern = re.compile(r"!?\[\[\s*" + re.escape(title) + r"\s*(?:[#|][^\]\n]*)?\]\]", re.IGNORECASE)
    for line in body.splitlines():
        found = pattern.search(line)
        if found is None:
            continue
        start = 0
        for boundary in _SENTENCE_END_RE.finditer(line[: found.start()]):
            start = boundary.end()
        end_match = _SENTENCE_END_RE.search(line, found.end())
        end = end_match.start() if end_match else len(line)
        before = _plain(line[start : found.start()])
        after = _plain(line[found.end() : end])
        label = found.group(0).lstrip("!")[2:-2]
        label = label.split("|", 1)[1] if "|" in label else label.split("#", 1)[0]
        return Context(_clip_left(before), label.strip(), _clip_right(after))
    return None


def _plain(text: str) -> str:
    text = re.sub(r"!?\[\[([^\]|#\n]+)(?:#[^\]|\n]*)?(?:\|([^\]\n]+))?\]\]", lambda m: m.group(2) or m.group(1), text)
    return _MARKUP_RE.sub("", text)


def _clip_left(text: str) -> str:
    half = CONTEXT_CHARS // 2
    return text if len(text) <= half else "…" + text[-half:].lstrip()


def _clip_right(text: str) -> str:
    half = CONTEXT_CHARS // 2
    return text if len(text) <= half else text[:half].rstrip() + "…"


@dataclass
class TagNode:
    """One level of the tag hierarchy: `project` holds `project/alpha`."""

    name: str
    label: str
    count: int = 0
    children: list[TagNode] = field(default_factory=list)


def tag_tree(tags: Iterable[tuple[str, int]]) -> list[TagNode]:
    """Nest `(name, note_count)` pairs by `/`; parents that are not tags themselves get count 0."""
    roots: list[TagNode] = []
    index: dict[str, TagNode] = {}
    for name, count in sorted(tags, key=lambda pair: pair[0].lower()):
        parts = name.split("/")
        siblings = roots
        for depth in range(len(parts)):
            path = "/".join(parts[: depth + 1])
            node = index.get(path.lower())
            if node is None:
                node = TagNode(name=path, label=parts[depth])
                index[path.lower()] = node
                siblings.append(node)
            siblings = node.children
        index[name.lower()].count = count
    return roots


@dataclass
class TreeRow:
    """One tag of a tree flattened for a single template loop: after it, open a child list or close `closes`."""

    node: TagNode
    has_children: bool
    closes: range


def flatten_tree(nodes: list[TagNode]) -> list[TreeRow]:
    """Depth-first rows of a tag tree; rendering them needs no recursive include (which is slow)."""
    rows: list[TreeRow] = []

    def walk(level: list[TagNode], depth: int) -> None:
        for index, node in enumerate(level):
            rows.append(TreeRow(node, bool(node.children), range(0)))
            if node.children:
                walk(node.children, depth + 1)
            if index == len(level) - 1 and depth > 0:
                last = rows[-1]
                last.closes = range(len(last.closes) + 1)

    walk(nodes, 0)
    return rows


@dataclass
class DiffLine:
    kind: str  # "add", "del", "hunk" or "same"
    text: str


def diff_lines(old: str, new: str, *, old_label: str, new_label: str) -> list[DiffLine]:
    """A unified diff of two texts, line by line, for the history and conflict pages."""
    lines: list[DiffLine] = []
    for raw in difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=3
    ):
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            lines.append(DiffLine("hunk", raw))
        elif raw.startswith("+"):
            lines.append(DiffLine("add", raw))
        elif raw.startswith("-"):
            lines.append(DiffLine("del", raw))
        else:
            lines.append(DiffLine("same", raw))
    return lines


def capture_title(text: str, limit: int = 80) -> str:
    """The title of a quick-captured note: its first non-empty line, without Markdown heading marks."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""
