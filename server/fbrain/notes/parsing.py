"""Read a note body: YAML front matter, `[[wiki links]]` and `#tags` outside code and URLs; rewrite them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it import MarkdownIt

from fbrain.notes.models import TAG_MAX_LENGTH, TITLE_MAX_LENGTH

FRONT_MATTER_MAX_CHARS = 64 * 1024

# `[[Title]]`, `[[Title|alias]]`, `[[Title#Heading]]`, `![[Embed]]`.
WIKILINK_RE = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
# A hashtag starts a line or follows a space or opening punctuation (so `a#b`, `&#38;`, `url/#x` are not tags).
HASHTAG_RE = re.compile(r"(?:^|(?<=[\s(\[{,;:!?\"'*>~]))#([\w][\w/\-]*)", re.MULTILINE)
TAG_NAME_RE = re.compile(r"^[\w][\w\-]*(?:/[\w][\w\-]*)*$")
# A tag name as the API takes it, for the schema: `#` and `/` around it and surrounding spaces are dropped, the
# parts match TAG_NAME_RE, and one part has a character that is not a digit (normalize_tag_name, below).
TAG_INPUT_PATTERN = r"^\s*#*/*(?:\d+/)*(?:\d*[^\W\d][\w-]*|\d+-[\w-]*)(?:/\w[\w-]*)*/*\s*$"
_ALL_DIGITS_RE = re.compile(r"^[\d/]*$")
_INLINE_CODE_RE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
_URL_RE = re.compile(r"<[a-zA-Z][a-zA-Z0-9+.\-]*:[^\s<>]*>|\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s<>]+|\]\([^)\s]*")
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^>\n]*>")
_FRONT_MATTER_RE = re.compile(
    r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE
)

# Only the block structure is read (where code sits); inline parsing would double the cost for nothing.
_block_parser = MarkdownIt("commonmark").disable("inline")
# libyaml's parser when PyYAML was built with it (same safe constructor, ~10x faster than the pure-Python one).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParseError(ValueError):
    """The body cannot be saved as it is (e.g. its front matter is not valid YAML)."""


@dataclass(frozen=True)
class WikiLink:
    title: str
    alias: str
    heading: str
    embed: bool
    start: int
    end: int

    def with_title(self, title: str) -> str:
        text = ("!" if self.embed else "") + "[[" + title
        if self.heading:
            text += "#" + self.heading
        if self.alias:
            text += "|" + self.alias
        return text + "]]"


@dataclass
class ParsedBody:
    links: list[WikiLink] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    front_matter_tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    @property
    def all_tags(self) -> list[str]:
        return unique_ci(self.front_matter_tags + self.tags)


def normalize_newlines(text: str) -> str:
    """`\n` line ends whatever the client sent (browsers send `\r\n` from a textarea, old files `\r`)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def unique_ci(names: list[str]) -> list[str]:
    """Drop case-insensitive duplicates, keeping the first spelling and the order."""
    seen: set[str] = set()
    result = []
    for name in names:
        key = name.lower()
        if key not in seen:
            seen.add(key)
            result.append(name)
    return result


def normalize_tag_name(name: str) -> str:
    """The canonical spelling of a tag name (no leading `#`, no surrounding `/`), or ValueError."""
    cleaned = name.strip().lstrip("#").strip("/")
    if not cleaned:
        raise ValueError("A tag name cannot be empty.")
    if len(cleaned) > TAG_MAX_LENGTH:
        raise ValueError(f"A tag name has at most {TAG_MAX_LENGTH} characters.")
    if not TAG_NAME_RE.fullmatch(cleaned):
        raise ValueError(f"Invalid tag name {cleaned!r}: use letters, digits, '_', '-' and '/' between parts.")
    if _ALL_DIGITS_RE.match(cleaned):
        raise ValueError(f"Invalid tag name {cleaned!r}: a tag needs at least one non-digit.")
    return cleaned


def _front_matter_span(body: str) -> tuple[str, int] | None:
    match = _FRONT_MATTER_RE.match(body)
    if match is None:
        return None
    return match.group(1), match.end()


def _string_list(value: Any, key: str, separators: str = r"[,\s]+") -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(separators, value) if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return [str(item) for item in value if str(item).strip()]
    raise ParseError(f"Front matter `{key}` must be a list of strings.")


def markdown_start(body: str) -> int:
    """Where the Markdown starts after the front matter block (0 if none), without parsing the YAML."""
    span = _front_matter_span(body)
    return span[1] if span else 0


def parse_front_matter(body: str) -> tuple[dict[str, Any], int]:
    """The front matter mapping and where the Markdown starts; `({}, 0)` if there is none."""
    span = _front_matter_span(body)
    if span is None:
        return {}, 0
    text, end = span
    if len(text) > FRONT_MATTER_MAX_CHARS:
        raise ParseError(f"Front matter is longer than {FRONT_MATTER_MAX_CHARS} characters.")
    try:
        data = yaml.load(text, Loader=_YAML_LOADER) if text.strip() else {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ParseError(f"Front matter is not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError("Front matter must be a YAML mapping (`key: value` lines).")
    return data, end


def _blank(chars: list[str], start: int, end: int) -> None:
    for index in range(start, end):
        if chars[index] != "\n":
            chars[index] = " "


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for match in re.finditer(r"\n", text):
        offsets.append(match.end())
    offsets.append(len(text))
    return offsets


def mask_code(body: str, markdown_start: int = 0) -> str:
    """The body with front matter, code blocks and inline code replaced by spaces (offsets unchanged)."""
    chars = list(body)
    _blank(chars, 0, markdown_start)
    # Block structure from a real CommonMark parser: fences and indented code are exact, even in lists.
    offsets = _line_offsets(body)
    for token in _block_parser.parse(body[markdown_start:]):
        if token.type in ("fence", "code_block", "html_block") and token.map:
            first_line = body.count("\n", 0, markdown_start)
            start = offsets[min(first_line + token.map[0], len(offsets) - 1)]
            end = offsets[min(first_line + token.map[1], len(offsets) - 1)]
            _blank(chars, start, end)
    masked = "".join(chars)
    for match in _INLINE_CODE_RE.finditer(masked):
        _blank(chars, match.start(), match.end())
    return "".join(chars)


def _parse_link(match: re.Match[str]) -> WikiLink | None:
    inner = match.group(2)
    target, _, alias = inner.partition("|")
    title, _, heading = target.partition("#")
    title = title.strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        return None
    return WikiLink(
        title=title,
        alias=alias.strip()[:TITLE_MAX_LENGTH],
        heading=heading.strip()[:TITLE_MAX_LENGTH],
        embed=bool(match.group(1)),
        start=match.start(),
        end=match.end(),
    )


def find_links(masked: str) -> list[WikiLink]:
    return [link for match in WIKILINK_RE.finditer(masked) if (link := _parse_link(match)) is not None]


def find_hashtags(masked: str) -> list[tuple[str, int, int]]:
    """`(name, start, end)` of each valid hashtag, where the span covers the name without `#`."""
    chars = list(masked)
    for regex in (WIKILINK_RE, _URL_RE, _HTML_TAG_RE):
        for match in regex.finditer(masked):
            _blank(chars, match.start(), match.end())
    text = "".join(chars)
    found = []
    for match in HASHTAG_RE.finditer(text):
        raw = match.group(1).rstrip("/-")
        try:
            name = normalize_tag_name(raw)
        except ValueError:
            continue
        found.append((name, match.start(1), match.start(1) + len(raw)))
    return found


def parse_body(body: str) -> ParsedBody:
    """Links, tags and aliases of a body; ParseError when the front matter is invalid."""
    data, markdown_start = parse_front_matter(body)
    front_tags = []
    for raw in _string_list(data.get("tags"), "tags"):
        try:
            front_tags.append(normalize_tag_name(raw))
        except ValueError as exc:
            raise ParseError(f"Front matter `tags`: {exc}") from None
    aliases = [alias.strip()[:TITLE_MAX_LENGTH] for alias in _string_list(data.get("aliases"), "aliases", ",")]
    masked = mask_code(body, markdown_start)
    return ParsedBody(
        links=find_links(masked),
        tags=unique_ci([name for name, _, _ in find_hashtags(masked)]),
        front_matter_tags=unique_ci(front_tags),
        aliases=unique_ci([alias for alias in aliases if alias]),
    )


def _replace_spans(body: str, replacements: list[tuple[int, int, str]]) -> str:
    parts = []
    position = 0
    for start, end, text in sorted(replacements):
        parts.append(body[position:start])
        parts.append(text)
        position = end
    parts.append(body[position:])
    return "".join(parts)


def rewrite_links(body: str, old_title: str, new_title: str) -> str:
    """The body with every `[[old_title...]]` (outside code) pointing at `new_title`, keeping alias and heading."""
    _, markdown_start = parse_front_matter(body)
    key = old_title.lower()
    replacements = [
        (link.start, link.end, link.with_title(new_title))
        for link in find_links(mask_code(body, markdown_start))
        if link.title.lower() == key
    ]
    return _replace_spans(body, replacements)


def _renamed(name: str, old: str, new: str) -> str | None:
    lowered, old_lowered = name.lower(), old.lower()
    if lowered == old_lowered:
        return new
    if lowered.startswith(old_lowered + "/"):
        return new + name[len(old) :]
    return None


def rewrite_tag(body: str, old: str, new: str) -> str:
    """The body with tag `old` (and its children `old/...`) renamed to `new`, in hashtags and front matter."""
    data, markdown_start = parse_front_matter(body)
    masked = mask_code(body, markdown_start)
    replacements = []
    for name, start, end in find_hashtags(masked):
        renamed = _renamed(name, old, new)
        if renamed is not None:
            replacements.append((start, end, renamed))
    body = _replace_spans(body, replacements)
    tags = data.get("tags")
    if markdown_start and tags is not None:
        names = _string_list(tags, "tags")
        renamed_names = [_renamed(name.lstrip("#"), old, new) or name for name in names]
        if renamed_names != names:
            data["tags"] = unique_ci(renamed_names)
            front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
            body = f"---\n{front}---\n" + body[markdown_start:]
    return body
