"""Read a Markdown folder or Obsidian vault into an in-memory import plan; nothing is written here."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import yaml

from fbrain.notes.models import TITLE_MAX_LENGTH
from fbrain.notes.parsing import (
    ParseError,
    find_links,
    markdown_start,
    mask_code,
    normalize_tag_name,
    parse_front_matter,
)

NOTE_EXTENSIONS = (".md", ".markdown")
# Keys F_BRAIN keeps as fields of the note: taken out of the front matter on import, put back on export.
FIELD_KEYS = ("title", "tags", "tag", "created", "updated", "url", "kind")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_IMAGE_RE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
# `[text](Other%20Note.md)`: Obsidian's Markdown-style link to a note (not an image: no `!` before it).
_NOTE_LINK_RE = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]+?\.(?:md|markdown))(#[^)\s>]*)?>?\s*\)", re.IGNORECASE)
_TAG_UNSAFE_RE = re.compile(r"[^\w\-/]+")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_UNSAFE_NAME_RE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]+')
_COPY_SUFFIX_RE = re.compile(r" \(\d+\)$")


@dataclass(frozen=True)
class FileError:
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass
class Reference:
    """A span of the body that points at another vault file: a note link or an attachment."""

    start: int
    end: int
    path: str
    # For note links: the link's heading, alias and embed flag; for attachments: the alt text.
    heading: str = ""
    alias: str = ""
    embed: bool = False
    original_target: str = ""
    # A `[text](note.md)` link, always rewritten to a wiki link so the knowledge base sees it.
    markdown: bool = False


@dataclass
class PlannedNote:
    path: str
    title: str
    body: str
    tags: list[str]
    folder: str
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    url: str = ""
    kind: str = "note"
    links: list[Reference] = field(default_factory=list)
    attachments: list[Reference] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    # The front matter `aliases` (Obsidian resolves links by them) and where the body's Markdown starts.
    aliases: list[str] = field(default_factory=list)
    markdown_start: int = 0


@dataclass
class VaultPlan:
    notes: list[PlannedNote] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # The folder the whole archive sat in (stripped from every path), e.g. "MyVault/".
    root: str = ""

    def by_path(self) -> dict[str, PlannedNote]:
        return {note.path: note for note in self.notes}


def is_note(path: str) -> bool:
    return path.lower().endswith(NOTE_EXTENSIONS)


def common_root(paths: list[str]) -> str:
    """The single top folder every path shares (a vault zipped as its folder), or ''."""
    tops = {path.split("/", 1)[0] for path in paths}
    if len(tops) == 1 and all("/" in path for path in paths):
        return tops.pop() + "/"
    return ""


def clean_title(text: str) -> str:
    text = unicodedata.normalize("NFC", _CONTROL_RE.sub(" ", text)).strip()
    return " ".join(text.split())[:TITLE_MAX_LENGTH].strip()


def safe_stem(title: str) -> str:
    """A portable file name (without extension) for a title: what exports use."""
    return _UNSAFE_NAME_RE.sub("-", title).strip(" .-")[:120] or "Untitled"


def title_fits_stem(title: str, stem: str) -> bool:
    """Whether the file could have been named after `title` (as F_BRAIN exports do), copies included."""
    wanted = safe_stem(title).lower()
    return stem.lower() in (wanted, f"{wanted}.md") or _COPY_SUFFIX_RE.sub("", stem).lower() == wanted


def folder_tag(folder: str) -> str | None:
    """The tag that keeps a note's folder: `Projects/Alpha 1` -> `Projects/Alpha-1`."""
    parts = [_TAG_UNSAFE_RE.sub("-", part).strip("-") for part in folder.split("/")]
    parts = [part for part in parts if part]
    if not parts:
        return None
    try:
        return normalize_tag_name("/".join(parts))
    except ValueError:
        return None


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _tag_list(value: Any) -> list[str]:
    """Front matter tags; characters a tag cannot hold become `-`, and what is still not a tag is dropped."""
    if value is None:
        return []
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ParseError("front matter `tags` must be a list")
    tags = []
    for item in items:
        if item is None or isinstance(item, dict | list) or not str(item).strip():
            continue
        cleaned = "/".join(
            _TAG_UNSAFE_RE.sub("-", part).strip("-") for part in str(item).strip().lstrip("#").split("/")
        )
        try:
            tags.append(normalize_tag_name(cleaned))
        except ValueError:
            continue
    return tags


def split_front_matter(
    text: str, *, keys: tuple[str, ...] = FIELD_KEYS, extra: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """(F_BRAIN fields, body): `keys` are taken out, `extra` keys added when absent; other keys stay in the body."""
    fields, body, _ = _split(text, parse_front_matter(text), keys=keys, extra=extra)
    return fields, body


def _split(
    text: str, parsed: tuple[dict[str, Any], int], *, keys: tuple[str, ...], extra: dict[str, Any] | None
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """split_front_matter on an already parsed front matter; also returns the front matter left in the body."""
    data, start = parsed
    fields = {key: data.pop(key) for key in keys if key in data}
    for key, value in (extra or {}).items():
        data.setdefault(key, value)
    markdown = text[start:]
    if not data:
        return fields, markdown, data
    if not start and not extra:
        return fields, text, data
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return fields, f"---\n{front}---\n{markdown}", data


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), line endings normalised; UnicodeDecodeError otherwise."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_note(path: str, data: bytes, *, folder_tags: bool = False) -> PlannedNote:
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise ParseError("contains NUL characters")
    stem = posixpath.splitext(posixpath.basename(path))[0]
    folder = posixpath.dirname(path)
    # Obsidian names a note by its file; a front matter `title` wins only when the file is named after it
    # (F_BRAIN's exports), otherwise it stays in the front matter as an ordinary property.
    parsed = parse_front_matter(text)
    raw_title = parsed[0].get("title")
    declared = clean_title(str(raw_title)) if isinstance(raw_title, str | int | float) else ""
    keys = FIELD_KEYS if declared and title_fits_stem(declared, stem) else tuple(k for k in FIELD_KEYS if k != "title")
    extra = {"folder": folder} if folder and not folder_tags else None
    # The front matter is parsed once per file: YAML is the slowest part of planning a large vault.
    fields, body, front = _split(text, parsed, keys=keys, extra=extra)
    title = (declared if "title" in fields else "") or clean_title(stem) or "Untitled"
    tags = _tag_list(fields.get("tags")) + _tag_list(fields.get("tag"))
    tag = folder_tag(folder) if folder_tags else None
    if tag and tag.lower() not in {name.lower() for name in tags}:
        tags.append(tag)
    url = fields.get("url")
    kind = "bookmark" if fields.get("kind") == "bookmark" and isinstance(url, str) and url else "note"
    return PlannedNote(
        path=path,
        title=title,
        body=body,
        tags=tags,
        folder=folder,
        created=_as_datetime(fields.get("created")),
        updated=_as_datetime(fields.get("updated")),
        url=url if isinstance(url, str) else "",
        kind=kind,
        aliases=_aliases_of(front),
        markdown_start=markdown_start(body),
    )


def _key(text: str) -> str:
    # Case-insensitive and in one Unicode form: macOS zips file names in NFD, people type NFC.
    return unicodedata.normalize("NFC", text).lower()


class _Index:
    """Obsidian's resolution: by path, then by file name (case-insensitive), then by alias."""

    def __init__(self, notes: list[PlannedNote], attachments: list[str], aliases: dict[str, list[str]]) -> None:
        self.note_paths = {_key(note.path): note.path for note in notes}
        self.note_no_ext = {_key(posixpath.splitext(note.path)[0]): note.path for note in notes}
        self.note_names: dict[str, str] = {}
        for note in sorted(notes, key=lambda n: (n.path.count("/"), n.path)):
            self.note_names.setdefault(_key(posixpath.splitext(posixpath.basename(note.path))[0]), note.path)
        self.titles = {_key(note.title): note.path for note in notes}
        self.aliases: dict[str, str] = {}
        for path, names in aliases.items():
            for alias in names:
                self.aliases.setdefault(_key(alias), path)
        self.files = {_key(path): path for path in attachments}
        self.file_names: dict[str, str] = {}
        for path in sorted(attachments, key=lambda p: (p.count("/"), p)):
            self.file_names.setdefault(_key(posixpath.basename(path)), path)

    def note(self, target: str) -> str | None:
        key = _key(target.strip().lstrip("/"))
        for table in (self.note_paths, self.note_no_ext):
            if key in table:
                return table[key]
        if "/" not in key:
            stem = posixpath.splitext(key)[0] if is_note(key) else key
            found = self.note_names.get(stem)
            if found:
                return found
        return self.titles.get(key) or self.aliases.get(key)

    def attachment(self, target: str, folder: str) -> str | None:
        key = _key(target.strip())
        relative = _key(posixpath.normpath(posixpath.join(folder, key))) if folder else posixpath.normpath(key)
        for candidate in (relative, key.lstrip("/")):
            if candidate in self.files:
                return self.files[candidate]
        return self.file_names.get(posixpath.basename(key))


def _aliases_of(front: dict[str, Any]) -> list[str]:
    value = front.get("aliases")
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return []


def _dedupe_titles(notes: list[PlannedNote]) -> None:
    taken: set[str] = set()
    for note in notes:
        title = note.title
        number = 2
        while title.lower() in taken:
            suffix = f" ({number})"
            title = note.title[: TITLE_MAX_LENGTH - len(suffix)] + suffix
            number += 1
        note.title = title
        taken.add(title.lower())


def _resolve_references(note: PlannedNote, index: _Index) -> None:
    masked = mask_code(note.body, note.markdown_start)
    for link in find_links(masked):
        target = link.title
        if not is_note(target) and "." in posixpath.basename(target):
            attachment = index.attachment(target, note.folder)
            if attachment:
                alias = link.alias or target
                note.attachments.append(Reference(link.start, link.end, attachment, alias=alias, embed=link.embed))
                continue
        path = index.note(target)
        if path is None:
            note.pending.append(target)
            continue
        note.links.append(
            Reference(
                link.start,
                link.end,
                path,
                heading=link.heading,
                alias=link.alias,
                embed=link.embed,
                original_target=target,
            )
        )
    for match in _NOTE_LINK_RE.finditer(masked):
        raw = match.group(2)
        if _SCHEME_RE.match(raw):
            continue
        relative = posixpath.normpath(posixpath.join(note.folder, unquote(raw))) if note.folder else unquote(raw)
        path = index.note(relative) or index.note(unquote(raw))
        if path is None:
            continue
        text = note.body[match.start(1) : match.end(1)]
        heading = unquote(match.group(3) or "").lstrip("#")
        note.links.append(
            Reference(match.start(), match.end(), path, heading=heading, alias=text, original_target=raw, markdown=True)
        )
    for match in _IMAGE_RE.finditer(masked):
        raw = match.group(2)
        if _SCHEME_RE.match(raw) or raw.startswith(("/", "#")):
            continue
        attachment = index.attachment(unquote(raw.split("#", 1)[0].split("?", 1)[0]), note.folder)
        if attachment:
            alt = note.body[match.start(1) : match.end(1)]
            note.attachments.append(Reference(match.start(), match.end(), attachment, alias=alt, embed=True))


def plan_vault(files: dict[str, bytes], *, folder_tags: bool = False) -> VaultPlan:
    """Parse every Markdown file; other files become attachments when a note references them.

    A note's folder is kept as a `folder:` front matter property, or with `folder_tags` as a tag.
    """
    root = common_root(list(files))
    plan = VaultPlan(root=root)
    relative = {path[len(root) :]: data for path, data in files.items()}
    others = [path for path in relative if not is_note(path)]
    aliases: dict[str, list[str]] = {}
    for path in sorted(p for p in relative if is_note(p)):
        try:
            note = _parse_note(path, relative[path], folder_tags=folder_tags)
            aliases[path] = note.aliases
        except ParseError as exc:
            plan.errors.append(FileError(path, str(exc)))
            continue
        plan.notes.append(note)
    _dedupe_titles(plan.notes)
    index = _Index(plan.notes, others, aliases)
    used: set[str] = set()
    for note in plan.notes:
        _resolve_references(note, index)
        used.update(reference.path for reference in note.attachments)
    plan.attachments = sorted(used)
    return plan


def render_body(note: PlannedNote, titles: dict[str, str], attachment_urls: dict[str, str]) -> str:
    """The note body with vault links pointing at final titles and attachments at their stored URLs."""
    replacements: list[tuple[int, int, str]] = []
    for ref in note.links:
        title = titles.get(ref.path)
        if title is None or (not ref.markdown and title.lower() == ref.original_target.lower()):
            continue
        if ref.markdown:
            text = ref.alias.replace("|", "-").replace("]", "").strip()
            alias = text if text and text.lower() != title.lower() else ""
            target = title + (f"#{ref.heading}" if ref.heading else "")
            replacements.append((ref.start, ref.end, f"[[{target}|{alias}]]" if alias else f"[[{target}]]"))
            continue
        alias = ref.alias or (ref.original_target if title.lower() != ref.original_target.lower() else "")
        text = ("!" if ref.embed else "") + "[[" + title + (f"#{ref.heading}" if ref.heading else "")
        replacements.append((ref.start, ref.end, text + (f"|{alias}" if alias else "") + "]]"))
    for ref in note.attachments:
        url = attachment_urls.get(ref.path)
        if url:
            alt = ref.alias.replace("]", "")
            replacements.append((ref.start, ref.end, f"{'!' if ref.embed else ''}[{alt}]({url})"))
    body = note.body
    for start, end, text in sorted(replacements, reverse=True):
        body = body[:start] + text + body[end:]
    return body
