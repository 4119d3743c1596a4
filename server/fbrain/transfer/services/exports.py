"""Run an export job: every live note as Markdown with front matter, attachments alongside, in one zip."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import yaml
from django.core.files import File
from django.db.models import Prefetch
from django.utils import timezone

from fbrain.notes.models import Note, NoteTag
from fbrain.notes.parsing import ParseError, parse_front_matter
from fbrain.transfer.models import Attachment, Job, job_result_path
from fbrain.transfer.services.jobs import JobCancelled, Progress, job_claim, job_finish
from fbrain.transfer.vault import safe_stem

ATTACHMENT_URL_RE = re.compile(r"/api/v1/attachments/(\d+)/[^)\s]*")
ATTACHMENTS_DIR = "attachments"


def file_name(title: str, taken: set[str]) -> str:
    """A portable file name for a title (no path separators or characters Windows and Obsidian refuse)."""
    stem = safe_stem(title)
    name, number = f"{stem}.md", 2
    while name.lower() in taken:
        name = f"{stem} ({number}).md"
        number += 1
    taken.add(name.lower())
    return name


def _front_matter(note: Note) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": note.title}
    tags = sorted({note_tag.tag.name for note_tag in note.note_tags.all()}, key=str.lower)
    if tags:
        fields["tags"] = tags
    fields["created"] = note.created_at.isoformat()
    fields["updated"] = note.updated_at.isoformat()
    if note.kind == Note.Kind.BOOKMARK:
        fields["kind"] = "bookmark"
        bookmark = getattr(note, "bookmark", None)
        if bookmark is not None:
            fields["url"] = bookmark.url
    return fields


def render_note(note: Note, attachment_names: dict[int, str]) -> str:
    """The Markdown file for a note: F_BRAIN's fields merged into the body's own front matter."""
    body = note.body
    fields = _front_matter(note)
    try:
        existing, start = parse_front_matter(body)
    except ParseError:
        existing, start = {}, 0
    merged = {**fields, **{key: value for key, value in existing.items() if key not in fields}}
    markdown = body[start:]

    def relink(match: re.Match[str]) -> str:
        name = attachment_names.get(int(match.group(1)))
        return f"{ATTACHMENTS_DIR}/{quote(name)}" if name else match.group(0)

    markdown = ATTACHMENT_URL_RE.sub(relink, markdown)
    front = yaml.safe_dump(merged, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{front}---\n{markdown}"


def _notes(owner_id: int) -> Iterator[Note]:
    tags = Prefetch("note_tags", queryset=NoteTag.objects.select_related("tag"))
    notes = (
        Note.objects.filter(owner_id=owner_id, deleted_at__isnull=True)
        .select_related("bookmark")
        .defer("search_vector", "extra_text")
        .order_by("pk")
        .prefetch_related(tags)
    )
    return notes.iterator(chunk_size=500)


def _write(job: Job, archive: zipfile.ZipFile) -> dict[str, int]:
    total = Note.objects.filter(owner_id=job.owner_id, deleted_at__isnull=True).count()
    progress = Progress(job, total)
    taken: set[str] = set()
    attachment_names: dict[int, str] = {}
    counts = {"notes": 0, "attachments": 0}
    for note in _notes(job.owner_id):
        ids = {int(found) for found in ATTACHMENT_URL_RE.findall(note.body)} - set(attachment_names)
        for attachment in Attachment.objects.filter(owner_id=job.owner_id, pk__in=ids):
            name = f"{attachment.pk}-{attachment.name}"
            try:
                with attachment.file.open("rb") as handle:
                    archive.writestr(f"{ATTACHMENTS_DIR}/{name}", handle.read())
            except OSError:
                job.errors.append({"path": name, "message": "The attachment file is missing."})
                continue
            attachment_names[attachment.pk] = name
            counts["attachments"] += 1
        archive.writestr(file_name(note.title, taken), render_note(note, attachment_names))
        counts["notes"] += 1
        progress.advance()
    progress.flush()
    return counts


def export_run(*, job_id: str) -> str:
    """Write the owner's notes into a zip stored as the job's result; idempotent (a re-run rewrites it)."""
    job = job_claim(job_id=job_id)
    if job is None:
        return "skipped"
    job.errors = []
    handle, temporary = tempfile.mkstemp(suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            job.counts = _write(job, archive)
        name = f"fbrain-export-{timezone.now():%Y%m%d-%H%M%S}.zip"
        if job.result:
            job.result.delete(save=False)
        with open(temporary, "rb") as result:
            job.result.save(name, File(result), save=False)
        Job.objects.filter(pk=job.pk).update(result=job.result.name)
    except JobCancelled:
        job_finish(job=job, status=Job.Status.CANCELLED, reason="Cancelled.")
        return Job.Status.CANCELLED
    except OSError as exc:
        # Storage read-only or full: a clear, final failure (retrying cannot help) and no partial zip left.
        _discard_results(job)
        Job.objects.filter(pk=job.pk).update(result="")
        reason = f"Could not store the export file: {exc.strerror or exc}."
        job_finish(job=job, status=Job.Status.FAILED, reason=reason)
        return Job.Status.FAILED
    finally:
        os.unlink(temporary)
    job_finish(job=job, status=Job.Status.SUCCEEDED)
    return Job.Status.SUCCEEDED


def _discard_results(job: Job) -> None:
    """Delete whatever a failed export left in the job's folder (a half-written zip)."""
    folder = os.path.dirname(job_result_path(job, "x"))
    storage = job.result.storage
    try:
        _, files = storage.listdir(folder)
    except OSError:
        return
    for name in files:
        with contextlib.suppress(OSError):
            storage.delete(f"{folder}/{name}")
