"""Open untrusted zip archives safely: entry and size caps, zip-bomb ratio, no traversal, no symlinks."""

from __future__ import annotations

import posixpath
import stat
import zipfile
from dataclasses import dataclass, field

MAX_ENTRIES = 50_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
# Small files compress absurdly well (a page of spaces); only judge the ratio of entries worth bombing with.
RATIO_FLOOR_BYTES = 1024 * 1024
IGNORED_PREFIXES = ("__MACOSX/", ".obsidian/", ".trash/", ".git/")
IGNORED_NAMES = (".DS_Store", "Thumbs.db")


class UnsafeArchive(Exception):
    """The archive as a whole is refused; the message says why, for the job report."""


@dataclass(frozen=True)
class Limits:
    max_entries: int = MAX_ENTRIES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_entry_bytes: int = MAX_ENTRY_BYTES
    max_ratio: int = MAX_RATIO


@dataclass
class Inventory:
    """The files of an archive worth reading, by safe relative path, and what was left out."""

    files: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    total_bytes: int = 0


def safe_name(name: str) -> str:
    """A normalised relative POSIX path for an entry name; raises UnsafeArchive on traversal or absolute paths."""
    if "\x00" in name:
        raise UnsafeArchive(f"entry {name!r} has a NUL byte in its name")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise UnsafeArchive(f"entry {name!r} has an absolute path")
    parts = [part for part in unified.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"entry {name!r} points outside the archive")
    return posixpath.join(*parts) if parts else ""


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def inventory(archive: zipfile.ZipFile, limits: Limits | None = None) -> Inventory:
    """Check every entry before anything is extracted; return the regular files to import."""
    limits = limits or Limits()
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeArchive(f"the archive has {len(infos)} entries; at most {limits.max_entries} are accepted")
    result = Inventory()
    compressed_total = 0
    seen_lower: set[str] = set()
    for info in infos:
        name = safe_name(info.filename)
        if info.is_dir() or not name:
            continue
        if _is_symlink(info):
            result.skipped.append((name, "symbolic links are not imported"))
            continue
        if name.startswith(IGNORED_PREFIXES) or posixpath.basename(name) in IGNORED_NAMES:
            continue
        if info.flag_bits & 0x1:
            raise UnsafeArchive(f"entry {name!r} is encrypted")
        if info.file_size > limits.max_entry_bytes:
            raise UnsafeArchive(f"entry {name!r} is larger than {limits.max_entry_bytes // (1024 * 1024)} MiB")
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeArchive(f"entry {name!r} expands more than {limits.max_ratio} times (zip bomb?)")
        result.total_bytes += info.file_size
        compressed_total += info.compress_size
        if result.total_bytes > limits.max_total_bytes:
            raise UnsafeArchive(
                f"the archive expands to more than {limits.max_total_bytes // (1024 * 1024)} MiB; that is the limit"
            )
        if name.lower() in seen_lower:
            result.skipped.append((name, "another file has the same name (ignoring case)"))
            continue
        seen_lower.add(name.lower())
        result.files[name] = info
    if result.total_bytes > RATIO_FLOOR_BYTES and result.total_bytes > limits.max_ratio * max(compressed_total, 1):
        raise UnsafeArchive(f"the archive expands more than {limits.max_ratio} times (zip bomb?)")
    return result


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one entry, trusting its declared size no further than the bytes that actually come out."""
    chunks = []
    size = 0
    with archive.open(info) as handle:
        while chunk := handle.read(64 * 1024):
            size += len(chunk)
            if size > info.file_size:
                raise UnsafeArchive(f"entry {info.filename!r} is larger than it declares")
            chunks.append(chunk)
    return b"".join(chunks)
