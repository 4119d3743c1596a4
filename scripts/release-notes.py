#!/usr/bin/env python3
"""Release notes from the commits since the previous tag, optionally written into CHANGELOG.md.

F_BRAIN commits follow `area: Imperative summary` (STYLE.md); Conventional Commits
(`type(scope)!: summary`) are accepted too. Entries are grouped Keep-a-Changelog style:

  Breaking changes  `type!:` subjects or a `BREAKING CHANGE:` footer
  Added             feat / summaries starting with Add, Introduce, Support, Allow, Enable, ...
  Fixed             fix / summaries starting with Fix, Repair, Correct, Handle, Prevent, ...
  Security          security / sec / areas or summaries about security, CVEs, hardening
  Removed           summaries starting with Remove, Drop, Delete, Deprecate
  Changed           perf, refactor and every other product change
  Maintenance       ci, build, chore, deps, docs, style, test(s) types or areas

Within a section each entry reads `**area**: Summary (abc1234)`, sorted by area.
Merge commits and `release: ...` commits are skipped.

Usage:
  scripts/release-notes.py v1.2.0                   # print notes for v1.2.0 (tag or HEAD)
  scripts/release-notes.py v1.2.0 --write-changelog # also insert/replace the section in CHANGELOG.md
  scripts/release-notes.py v1.2.0 --from-changelog  # print the section already in CHANGELOG.md
  Options: --previous vX.Y.Z  --ref REF  --date YYYY-MM-DD  --changelog PATH  --repo-url URL
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TAG_RE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$")
CONVENTIONAL_RE = re.compile(r"^(?P<type>[a-zA-Z]+)(?:\((?P<scope>[^)]+)\))?(?P<bang>!)?:\s+(?P<summary>.+)$")
AREA_RE = re.compile(r"^(?P<area>[A-Za-z0-9_./,+-]+)(?P<bang>!)?:\s+(?P<summary>.+)$")

CONVENTIONAL_TYPES = {
    "feat": "Added",
    "feature": "Added",
    "fix": "Fixed",
    "bugfix": "Fixed",
    "hotfix": "Fixed",
    "perf": "Changed",
    "refactor": "Changed",
    "revert": "Changed",
    "security": "Security",
    "sec": "Security",
    "build": "Maintenance",
    "ci": "Maintenance",
    "chore": "Maintenance",
    "deps": "Maintenance",
    "docs": "Maintenance",
    "style": "Maintenance",
    "test": "Maintenance",
    "tests": "Maintenance",
}
AREA_LIKE_TYPES = {"build", "ci", "deps", "docs", "security", "test", "tests"}
MAINTENANCE_AREAS = {
    "build",
    "ci",
    "chore",
    "deps",
    "dependabot",
    "docs",
    "doc",
    "style",
    "test",
    "tests",
    "lint",
    "pre-commit",
    "github",
    ".github",
    "typo",
}
SECURITY_AREAS = {"security", "sec", "auth-security"}
VERB_SECTIONS = (
    ("Added", ("add", "introduce", "support", "allow", "enable", "implement", "create", "expose", "provide", "new")),
    ("Fixed", ("fix", "repair", "correct", "handle", "prevent", "avoid", "resolve", "restore")),
    ("Removed", ("remove", "drop", "delete", "deprecate", "retire")),
)
SECURITY_WORDS = re.compile(r"\b(cve-\d{4}-\d+|security|vulnerab\w*|xss|csrf|ssrf|harden\w*)\b", re.I)
SECTION_ORDER = ("Breaking changes", "Added", "Changed", "Fixed", "Removed", "Security", "Maintenance")
SKIP_AREAS = {"release", "merge"}


@dataclass(frozen=True)
class Entry:
    """One commit rendered as a changelog line."""

    section: str
    area: str
    summary: str
    sha: str
    breaking: bool


GIT = shutil.which("git") or "git"


def _git(*args: str, check: bool) -> subprocess.CompletedProcess[str]:
    # Arguments are git sub-commands built here and tags validated by TAG_RE: no shell involved.
    return subprocess.run([GIT, *args], check=check, capture_output=True, text=True)  # noqa: S603


def git(*args: str) -> str:
    return _git(*args, check=True).stdout.strip()


def git_ok(*args: str) -> bool:
    return _git(*args, check=False).returncode == 0


def classify(subject: str, body: str, sha: str) -> Entry | None:
    """Map one commit to a section, or None when it does not belong in release notes."""
    subject = subject.strip()
    if not subject or subject.startswith("Merge ") or subject.startswith("fixup!") or subject.startswith("squash!"):
        return None
    breaking = "BREAKING CHANGE:" in body or "BREAKING-CHANGE:" in body
    section: str | None = None
    match = CONVENTIONAL_RE.match(subject)
    if match and match.group("type").lower() in CONVENTIONAL_TYPES:
        kind = match.group("type").lower()
        # Types that double as F_BRAIN areas (`ci: ...`, `docs: ...`) keep their name as the area.
        area = match.group("scope") or (kind if kind in AREA_LIKE_TYPES else "")
        summary = match.group("summary")
        breaking = breaking or bool(match.group("bang"))
        section = CONVENTIONAL_TYPES[kind]
    else:
        match = AREA_RE.match(subject)
        if match:
            area = match.group("area")
            summary = match.group("summary")
            breaking = breaking or bool(match.group("bang"))
        else:
            area, summary = "general", subject
    if area.lower() in SKIP_AREAS:
        return None
    summary = summary.rstrip(".").strip()
    summary = summary[:1].upper() + summary[1:]
    if section is None:
        section = section_for_area(area, summary)
    if breaking:
        section = "Breaking changes"
    return Entry(section=section, area=area, summary=summary, sha=sha[:7], breaking=breaking)


def section_for_area(area: str, summary: str) -> str:
    """Section of an `area: Summary` commit: security first, then maintenance areas, then the verb."""
    first_area = re.split(r"[,/]", area.lower())[0] if area else ""
    if first_area in SECURITY_AREAS or SECURITY_WORDS.search(summary):
        return "Security"
    if first_area in MAINTENANCE_AREAS:
        return "Maintenance"
    verb = summary.split(maxsplit=1)[0].lower().rstrip(":,") if summary else ""
    for section, verbs in VERB_SECTIONS:
        if verb in verbs or any(verb == v + "s" or verb == v + "es" for v in verbs):
            return section
    return "Changed"


def previous_tag(ref: str, current: str) -> str | None:
    """Latest release tag reachable from ref, excluding the release being described."""
    base = ref
    if ref == current:
        if not git_ok("rev-parse", "--verify", "-q", f"{ref}^"):
            return None
        base = f"{ref}^"
    candidates = git("tag", "--merged", base, "--list", "v[0-9]*", "--sort=-v:refname").splitlines()
    for tag in candidates:
        if tag != current and TAG_RE.match(tag):
            return tag
    return None


def collect(range_spec: str) -> list[Entry]:
    raw = git("log", "--no-merges", "--format=%H%x1f%s%x1f%b%x1e", range_spec)
    entries: list[Entry] = []
    for record in raw.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, subject, body = [*record.split("\x1f"), "", ""][:3]
        entry = classify(subject, body, sha.strip())
        if entry:
            entries.append(entry)
    return entries


def render(entries: list[Entry], repo_url: str | None) -> str:
    if not entries:
        return "_No user-facing changes._\n"
    out: list[str] = []
    for section in SECTION_ORDER:
        items = sorted((e for e in entries if e.section == section), key=lambda e: (e.area.lower(), e.summary))
        if not items:
            continue
        out.append(f"### {section}\n")
        for e in items:
            sha = f"[{e.sha}]({repo_url}/commit/{e.sha})" if repo_url else e.sha
            prefix = f"**{e.area}**: " if e.area else ""
            out.append(f"- {prefix}{e.summary} ({sha})")
        out.append("")
    return "\n".join(out)


def heading(version: str, date: str) -> str:
    return f"## [{version}] - {date}"


SECTION_RE = re.compile(r"^## \[(?P<version>[^\]]+)\]", re.M)


def changelog_section(text: str, version: str) -> str | None:
    """Body of the `## [version]` section of CHANGELOG text, or None when absent."""
    matches = list(SECTION_RE.finditer(text))
    for i, m in enumerate(matches):
        if m.group("version") == version:
            start = text.index("\n", m.start()) + 1
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            return text[start:end].strip("\n") + "\n"
    return None


def write_changelog(path: Path, version: str, date: str, notes: str) -> None:
    """Insert (or replace) the version's section right below `## [Unreleased]`."""
    text = path.read_text() if path.exists() else "# Changelog\n\n## [Unreleased]\n"
    block = f"{heading(version, date)}\n\n{notes.strip()}\n\n"
    matches = list(SECTION_RE.finditer(text))
    for i, m in enumerate(matches):
        if m.group("version") == version:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            path.write_text(text[: m.start()] + block + text[end:].lstrip("\n"))
            return
    unreleased = next((m for m in matches if m.group("version").lower() == "unreleased"), None)
    if unreleased is not None:
        following = [m for m in matches if m.start() > unreleased.start()]
        insert_at = following[0].start() if following else len(text)
    else:
        insert_at = matches[0].start() if matches else len(text)
    prefix = text[:insert_at].rstrip("\n") + "\n\n"
    path.write_text(prefix + block + text[insert_at:].lstrip("\n"))


def repo_url_guess() -> str | None:
    url = _git("config", "--get", "remote.origin.url", check=False).stdout.strip()
    ssh = re.match(r"^git@([^:]+):(.+?)(?:\.git)?$", url)
    if ssh:
        return f"https://{ssh.group(1)}/{ssh.group(2)}"
    https = re.match(r"^(https://[^ ]+?)(?:\.git)?$", url)
    return https.group(1) if https else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="release tag, e.g. v1.2.0")
    parser.add_argument("--previous", help="previous tag (default: latest v* tag before this one)")
    parser.add_argument("--ref", help="commit the release points at (default: the tag if it exists, else HEAD)")
    parser.add_argument("--date", help="release date (default: the ref's commit date, UTC)")
    parser.add_argument("--changelog", default="CHANGELOG.md", type=Path)
    parser.add_argument("--repo-url", help="https URL of the repository, for commit links")
    parser.add_argument("--write-changelog", action="store_true", help="insert the section into CHANGELOG.md")
    parser.add_argument("--from-changelog", action="store_true", help="print the section already in CHANGELOG.md")
    args = parser.parse_args(argv)

    if not TAG_RE.match(args.tag):
        parser.error(f"tag must look like vX.Y.Z (got {args.tag!r})")
    version = args.tag[1:]

    if args.from_changelog:
        section = changelog_section(args.changelog.read_text() if args.changelog.exists() else "", version)
        if section is None:
            print(f"release-notes: no [{version}] section in {args.changelog}", file=sys.stderr)
            return 1
        sys.stdout.write(section)
        return 0

    ref = args.ref or (args.tag if git_ok("rev-parse", "-q", "--verify", f"refs/tags/{args.tag}") else "HEAD")
    prev = args.previous or previous_tag(ref, args.tag)
    range_spec = f"{prev}..{ref}" if prev else ref
    date = args.date or dt.datetime.fromtimestamp(int(git("log", "-1", "--format=%ct", ref)), tz=dt.UTC).strftime(
        "%Y-%m-%d"
    )
    repo_url = (args.repo_url or repo_url_guess() or "").rstrip("/") or None

    notes = render(collect(range_spec), repo_url)
    if repo_url and prev:
        notes += f"\n**Full diff**: {repo_url}/compare/{prev}...{args.tag}\n"
    print(f"release-notes: {args.tag} from {prev or 'the first commit'} ({range_spec})", file=sys.stderr)
    if args.write_changelog:
        write_changelog(args.changelog, version, date, notes)
        print(f"release-notes: wrote [{version}] into {args.changelog}", file=sys.stderr)
    sys.stdout.write(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
