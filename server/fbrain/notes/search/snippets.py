"""Search snippets: plain text around the hits (no Markdown syntax, no front matter), escaped, hits in <mark>."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils.html import escape

from fbrain.notes.parsing import FRONT_MATTER_MAX_CHARS, markdown_start

# Private-use characters mark the hits inside ts_headline output; escaped text cannot contain markup.
START, STOP = "\ue000", "\ue001"

# The first hit is looked for in this much of the body (after the front matter), then only a window around it
# is cleaned: the cost of a snippet does not grow with the body.
SCAN_CHARS = 100_000
SCAN_CHUNK = 4096
WINDOW_BEFORE = 240
WINDOW_AFTER = 600
# What is shown: about this many characters of plain text, starting a little before the first hit.
SNIPPET_CHARS = 200
LEAD_CHARS = 60
MAX_TERMS = 32

_COMBINING = "[\u0300-\u036f]*"
# Letters of the Latin ranges by the letter they fold to (what FTS5's remove_diacritics and unaccent fold).
_LATIN_RANGES = ((0x00C0, 0x0250), (0x1E00, 0x1F00))


def fold(text: str) -> str:
    """Lower-cased, accents removed: `Été` → `ete`."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _folded_letters() -> dict[str, str]:
    """Each lower-case accented Latin letter and the letter it folds to (`é` → `e`)."""
    table = {}
    for low, high in _LATIN_RANGES:
        for code in range(low, high):
            char = chr(code).lower()
            base = fold(char)
            if len(char) == 1 and len(base) == 1 and base.isascii() and base != char:
                table[char] = base
    return table


def _term_pattern(term: str) -> str:
    variants: dict[str, str] = {}
    for char, base in _folded_letters().items():
        variants[base] = variants.get(base, "") + char
    parts = []
    for char in fold(term):
        alternatives = variants.get(char, "")
        parts.append(f"[{re.escape(char + alternatives)}]" if alternatives else re.escape(char))
    return _COMBINING.join(parts) + _COMBINING


def _terms(terms: tuple[str, ...]) -> list[str]:
    """The folded terms that can match a word (not only `_`), longest first."""
    folded = {fold(term) for term in terms[:MAX_TERMS] if re.search(r"[^\W_]", term)}
    return sorted(folded, key=len, reverse=True)


@lru_cache(maxsize=256)
def hits_regex(terms: tuple[str, ...], prefix: bool = True) -> re.Pattern[str] | None:
    """Words matching one of the terms, case- and accent-insensitively; with `prefix`, words starting with one.

    Word characters are letters and digits (`_` separates words, as the search's tokenizers do).
    """
    folded = _terms(terms)
    if not folded:
        return None
    body = "|".join(_term_pattern(term) for term in folded)
    tail = r"[^\W_]*" if prefix else r"(?![^\W_])"
    return re.compile(rf"(?<![^\W_])(?:{body}){tail}", re.IGNORECASE)


@lru_cache(maxsize=256)
def _ascii_regex(terms: tuple[str, ...], prefix: bool) -> re.Pattern[str] | None:
    """`hits_regex` for lower-case ASCII text: the terms as literals, which the regex engine skips to quickly."""
    folded = [term for term in _terms(terms) if term.isascii()]
    if not folded:
        return None
    tail = "" if prefix else r"(?![^\W_])"
    body = "|".join(rf"{re.escape(term)}(?<![^\W_]{re.escape(term)})" for term in folded)
    return re.compile(rf"(?:{body}){tail}")


def _first_hit(text: str, start: int, terms: tuple[str, ...], prefix: bool) -> tuple[int, int] | None:
    """Where the first hit in SCAN_CHARS of the text after `start` is, looked for a chunk at a time.

    An ASCII chunk is lower-cased and searched for the terms as literals (fast); another is searched with the
    accent-insensitive pattern. The cost follows the position of the first hit, SCAN_CHARS at most.
    """
    regex = hits_regex(terms, prefix)
    if regex is None:
        return None
    ascii_regex = _ascii_regex(terms, prefix)
    overlap = max(len(term) for term in _terms(terms)) + 1
    end = min(len(text), start + SCAN_CHARS)
    # One character of context before each chunk, so the word-start check sees what precedes it.
    for low in range(max(0, start - 1), end, SCAN_CHUNK):
        chunk = text[low : min(end, low + SCAN_CHUNK + overlap)]
        skip = start - low if low < start else 0
        if chunk.isascii():
            match = ascii_regex.search(chunk.lower(), skip) if ascii_regex else None
        else:
            match = regex.search(chunk, skip)
        if match:
            return low + match.start(), low + match.end()
    return None


# Block syntax, line by line.
_FENCE_RE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}).*$", re.MULTILINE)
_TABLE_RULE_RE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?)?[ \t]*$", re.MULTILINE)
_THEMATIC_RE = re.compile(r"^[ \t]*(?:(?:[-*_][ \t]*){3,}|=+)[ \t]*$", re.MULTILINE)
_REFERENCE_RE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S.*$", re.MULTILINE)
_LINE_PREFIX_RE = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))?[ \t]*(?:\[[ xX]\][ \t]+)?",
    re.MULTILINE,
)
_HEADING_TAIL_RE = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)
# Inline syntax.
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_IMAGE_RE = re.compile(r"!\[\[[^\[\]\n]*\]\]|!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])?")
_WIKILINK_RE = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_LINK_RE = re.compile(r"\[([^\]\n]*)\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_FOOTNOTE_RE = re.compile(r"\[\^[^\]\n]*\]")
_AUTOLINK_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^\s<>]*)>")
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^>\n]*>")
_CODE_RE = re.compile(r"(`+)([^\n]*?)\1")
_STRONG_RE = re.compile(r"(\*\*|__|~~|==)(?=\S)([^\n]*?\S)\1")
_EMPHASIS_RE = re.compile(r"\*(?=[^\s*])([^\n*]*?[^\s*])\*|(?<![^\W_])_(?=[^\s_])([^\n_]*?[^\s_])_(?![^\W_])")
_LEFTOVER_RE = re.compile(r"\*\*+|__+|~~+|==+|`+|\]\([^)\s]*\)?|\[\[|\]\]")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPED = 0xF0000
_ESCAPED_RE = re.compile("[\U000f0021-\U000f007e]")
_SPACES_RE = re.compile(r"\s+")


def _wikilink_text(match: re.Match[str]) -> str:
    target, _, alias = match.group(1).partition("|")
    title, _, heading = target.partition("#")
    if alias.strip():
        return alias.strip()
    return f"{title.strip()} > {heading.strip()}" if heading.strip() else title.strip()


def to_plain(markdown: str) -> str:
    """The text a reader sees of a piece of Markdown, on one line: syntax, links' targets and images removed."""
    # Escaped punctuation is kept aside as private-use characters, so no rule below takes it for syntax.
    text = _ESCAPE_RE.sub(lambda match: chr(_ESCAPED + ord(match.group(1))), markdown)
    text = _COMMENT_RE.sub(" ", text)
    for regex in (_FENCE_RE, _TABLE_RULE_RE, _THEMATIC_RE, _REFERENCE_RE):
        text = regex.sub("", text)
    text = _HEADING_TAIL_RE.sub("", _LINE_PREFIX_RE.sub("", text))
    text = _IMAGE_RE.sub(" ", text)
    text = _WIKILINK_RE.sub(_wikilink_text, text)
    text = _FOOTNOTE_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _HTML_TAG_RE.sub(" ", text)
    text = _CODE_RE.sub(r"\2", text)
    for _ in range(2):  # nested emphasis: ***both*** is ** around *
        text = _STRONG_RE.sub(r"\2", text)
        text = _EMPHASIS_RE.sub(lambda m: m.group(1) or m.group(2), text)
    text = _LEFTOVER_RE.sub(" ", text).replace("|", " ")
    text = _ESCAPED_RE.sub(lambda match: chr(ord(match.group()) - _ESCAPED), text)
    return _SPACES_RE.sub(" ", text).strip()


def _window(text: str, start: int, hit: tuple[int, int] | None) -> tuple[str, bool, bool]:
    """The raw text around the first hit (or the start), whole words only; and whether it was cut on each side."""
    if hit is None:
        low, high = start, min(len(text), start + WINDOW_AFTER)
    else:
        low, high = max(start, hit[0] - WINDOW_BEFORE), min(len(text), hit[1] + WINDOW_AFTER)
    # Start at the line's start when it is near, so a heading or list marker is seen whole; else drop the
    # partial word (and any syntax it was part of) at each cut.
    line_start = text.rfind("\n", start, low) + 1 if low > start else start
    if low - max(line_start, start) <= 80:
        low = max(line_start, start)
    elif (space := text.find(" ", low, low + 80)) != -1:
        low = space + 1
    if high < len(text) and (space := text.rfind(" ", high - 80, high)) != -1:
        high = space
    return text[low:high], low > start, high < len(text)


def _marked(plain: str, regex: re.Pattern[str] | None) -> str:
    if regex is None:
        return str(escape(plain))
    parts: list[str] = []
    last = 0
    for match in regex.finditer(plain):
        parts.append(escape(plain[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(plain[last:]))
    return "".join(parts)


def simple_snippet(text: str, terms: list[str], *, prefix: bool = True, max_chars: int = SNIPPET_CHARS) -> str:
    """Plain text of `text` (Markdown) around its first hits, HTML-escaped, each hit in `<mark>`.

    Hits match `terms` as the search does (case and accents ignored, words starting with a term when `prefix`).
    Front matter is never shown. The cost is bounded: the first hit is looked for in SCAN_CHARS of the body,
    and only a window of about 850 characters around it is cleaned.
    """
    start = markdown_start(text[: FRONT_MATTER_MAX_CHARS + 16])
    key = tuple(terms)
    raw, cut_before, cut_after = _window(text, start, _first_hit(text, start, key, prefix))
    regex = hits_regex(key, prefix)
    plain = to_plain(raw)
    first = regex.search(plain) if regex else None
    low = 0
    if first is not None and first.start() > LEAD_CHARS:
        low = plain.find(" ", first.start() - LEAD_CHARS, first.start()) + 1 or first.start() - LEAD_CHARS
    high = low + max_chars
    if high < len(plain):
        space = plain.rfind(" ", low + max_chars // 2, high)
        high = space if space != -1 else high
    shown = plain[low:high].strip()
    before = "… " if shown and (cut_before or low > 0) else ""
    after = " …" if shown and (cut_after or high < len(plain)) else ""
    return before + _marked(shown, regex) + after


def snippet_html(text: str) -> str:
    return escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
