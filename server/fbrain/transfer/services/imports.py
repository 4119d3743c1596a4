"""Run an import job: check the archive, plan the vault, then write the notes in batches (a transaction each)."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import zipfile
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models.functions import Lower

from fbrain.core.errors import Conflict, DomainError
from fbrain.notes import selectors as note_selectors
from fbrain.notes import services as notes
from fbrain.notes.models import TITLE_MAX_LENGTH, Note
from fbrain.transfer.models import Attachment, Job, JobItem
from fbrain.transfer.services.jobs import JobCancelled, Progress, job_claim, job_finish
from fbrain.transfer.vault import PlannedNote, VaultPlan, is_note, plan_vault, render_body
from fbrain.transfer.zipsafety import Limits, UnsafeArchive, inventory, read_entry

logger = logging.getLogger(__name__)

CREATE, SKIP, RENAME, OVERWRITE, ERROR, ATTACHMENT = "create", "skip", "rename", "overwrite", "error", "attachment"
# Notes written per transaction: big enough that per-statement and per-commit costs vanish, small enough
# that a killed worker redoes little and the batch's rows stay a few MB in memory.
BATCH_SIZE = 250


def _limits() -> Limits:
    return Limits(max_entries=settings.IMPORT_MAX_ENTRIES, max_total_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES)


def _renamed(title: str, taken: set[str]) -> str:
    for number in range(1, 1000):
        suffix = " (imported)" if number == 1 else f" (imported {number})"
        candidate = title[: TITLE_MAX_LENGTH - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
    raise DomainError(f"No free title for {title!r}.")  # pragma: no cover - a thousand copies of one title


def decide(plan: VaultPlan, existing: set[str], policy: str) -> tuple[dict[str, str], dict[str, str]]:
    """Final title and action per note path, given the owner's live titles (lower-cased) and the policy."""
    titles: dict[str, str] = {}
    actions: dict[str, str] = {}
    planned = {note.title.lower() for note in plan.notes}
    taken = existing | planned
    for note in plan.notes:
        key = note.title.lower()
        if key not in existing:
            titles[note.path], actions[note.path] = note.title, CREATE
        elif policy == Job.Conflict.SKIP:
            titles[note.path], actions[note.path] = note.title, SKIP
        elif policy == Job.Conflict.OVERWRITE:
            titles[note.path], actions[note.path] = note.title, OVERWRITE
        else:
            renamed = _renamed(note.title, taken)
            taken.add(renamed.lower())
            titles[note.path], actions[note.path] = renamed, RENAME
    return titles, actions


def _existing_titles(owner_id: int, excluded_ids: set[int]) -> set[str]:
    live = Note.objects.filter(owner_id=owner_id, deleted_at__isnull=True).exclude(pk__in=excluded_ids)
    return set(live.annotate(key=Lower("title")).values_list("key", flat=True))


def _store_attachment(job: Job, path: str, data: bytes) -> Attachment:
    name = posixpath.basename(path)[:200] or "attachment"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(owner_id=job.owner_id, name=name, content_type=content_type, size=len(data))
    attachment.source_path = path[:1000]
    # The file is written before the row commits: a kill in between leaves an orphan file, never a broken row.
    attachment.file.save(name, ContentFile(data), save=False)
    with transaction.atomic():
        attachment.save()
        JobItem.objects.create(job=job, path=path, action=ATTACHMENT, attachment=attachment)
    return attachment


def _write_note(job: Job, planned: PlannedNote, action: str, title: str, body: str) -> Note | None:
    """Write one note and its JobItem in one transaction: either both exist afterwards or neither."""
    owner = job.owner
    with transaction.atomic():
        note: Note | None = None
        if action == OVERWRITE:
            existing = note_selectors.note_get_by_title(owner=owner, title=title)
            if existing is not None:
                note = notes.note_update(note=existing, body=body, tags=planned.tags, updated_at=planned.updated)
        elif action in (CREATE, RENAME):
            note = notes.note_create(
                owner=owner,
                title=title,
                body=body,
                kind=planned.kind,
                tags=planned.tags,
                created_at=planned.created,
                updated_at=planned.updated,
            )
            if planned.kind == Note.Kind.BOOKMARK and planned.url:
                from fbrain.bookmarks.services import bookmark_attach

                bookmark_attach(note=note, url=planned.url)
        JobItem.objects.create(job=job, path=planned.path, action=action, note=note)
    return note


def _write_one(job: Job, planned: PlannedNote, action: str, title: str, body: str) -> str:
    """_write_note, a refusal recorded as an error item; returns the action taken."""
    try:
        _write_note(job, planned, action, title, body)
    except DomainError as exc:
        JobItem.objects.get_or_create(
            job=job, path=planned.path, defaults={"action": ERROR, "message": exc.message[:500]}
        )
        job.errors.append({"path": planned.path, "message": exc.message})
        return ERROR
    return action


def _no_wait_for_flush() -> None:
    # A Postgres-only optimisation (SQLite has no such setting; there the batch commits as usual).
    # The batch's COMMIT returns before its WAL reaches the disk. Safe here: a crash of the database can lose
    # the last commits (a fraction of a second), but each lost batch goes whole, its notes with its JobItems
    # (never half of a transaction); the interrupted job is re-queued as stalled, and the resumed run, which
    # skips exactly the paths that have a JobItem, writes those batches again. Nothing else is relaxed.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _write_batch(job: Job, batch: list[tuple[PlannedNote, str, str, str]]) -> dict[str, str]:
    """Write new plain notes and skips with their JobItems in one transaction; the rest one by one after it.

    Returns the action taken per path. Notes the bulk path does not take (overwrites, bookmarks, a note the
    knowledge base refuses) go through _write_one, so they behave (and fail) exactly like a one-note import.
    """
    plain = [entry for entry in batch if entry[1] in (CREATE, RENAME) and entry[0].kind == Note.Kind.NOTE]
    skips = [entry for entry in batch if entry[1] == SKIP]
    taken: dict[str, str] = {}
    try:
        with transaction.atomic():
            _no_wait_for_flush()
            created = notes.notes_bulk_create(
                owner=job.owner,
                notes=[
                    notes.NewNote(
                        title=title,
                        body=body,
                        tags=planned.tags,
                        created_at=planned.created,
                        updated_at=planned.updated,
                    )
                    for planned, _, title, body in plain
                ],
            )
            items = [JobItem(job=job, path=planned.path, action=SKIP) for planned, _, _, _ in skips]
            for (planned, action, _, _), note in zip(plain, created, strict=True):
                if note is not None:
                    items.append(JobItem(job=job, path=planned.path, action=action, note=note))
            JobItem.objects.bulk_create(items)
    except Conflict:
        # A concurrent write took a title since the batch was checked: nothing was written, go one by one.
        items = []
    taken.update((item.path, item.action) for item in items)
    for planned, action, title, body in batch:
        if planned.path not in taken:
            taken[planned.path] = _write_one(job, planned, action, title, body)
    return taken


def _report_entry(planned: PlannedNote, action: str, title: str) -> dict[str, Any]:
    return {"path": planned.path, "action": action, "title": title}


def _run(job: Job, archive: zipfile.ZipFile) -> None:
    found = inventory(archive, _limits())
    names = list(found.files)
    contents: dict[str, bytes] = dict.fromkeys(names, b"")
    for name in names:
        if is_note(name):
            contents[name] = read_entry(archive, found.files[name])
    plan = plan_vault(contents, folder_tags=job.folder_tags)
    root = plan.root
    job.errors = [error.as_dict() for error in plan.errors]
    job.errors += [{"path": path.removeprefix(root), "message": why} for path, why in found.skipped]
    done = {item.path: item for item in job.items.select_related("note", "attachment")}
    created_ids = {item.note_id for item in done.values() if item.note_id and item.action in (CREATE, RENAME)}
    titles, actions = decide(plan, _existing_titles(job.owner_id, created_ids), job.conflict)
    for path, done_item in done.items():
        if done_item.note is not None:
            titles[path] = done_item.note.title
    job.processed = 0
    progress = Progress(job, len(plan.notes) + len(plan.attachments))
    counts = {CREATE: 0, SKIP: 0, RENAME: 0, OVERWRITE: 0, ERROR: 0, ATTACHMENT: 0, "pending_links": 0}
    job.report = []
    if job.dry_run:
        for planned in plan.notes:
            counts[actions[planned.path]] += 1
            counts["pending_links"] += len(planned.pending)
            job.report.append(_report_entry(planned, actions[planned.path], titles[planned.path]))
        counts[ATTACHMENT] = len(plan.attachments)
        job.processed = job.total
        job.counts = counts
        return
    urls: dict[str, str] = {}
    for path in plan.attachments:
        stored = done.get(path)
        if stored is not None and stored.attachment is not None:
            urls[path] = stored.attachment.url
        else:
            urls[path] = _store_attachment(job, path, read_entry(archive, found.files[root + path])).url
        counts[ATTACHMENT] += 1
        progress.advance()
    taken: dict[str, str] = {}
    batch: list[tuple[PlannedNote, str, str, str]] = []
    for position, planned in enumerate(plan.notes, start=1):
        item = done.get(planned.path)
        if item is not None:
            taken[planned.path] = item.action
            if item.action == ERROR:
                job.errors.append({"path": planned.path, "message": item.message})
            progress.advance()
        else:
            body = render_body(planned, titles, urls)
            batch.append((planned, actions[planned.path], titles[planned.path], body))
        if batch and (len(batch) == BATCH_SIZE or position == len(plan.notes)):
            taken.update(_write_batch(job, batch))
            progress.advance(len(batch))
            batch = []
    for planned in plan.notes:
        action = taken[planned.path]
        counts[action] = counts.get(action, 0) + 1
        counts["pending_links"] += len(planned.pending) if action != ERROR else 0
        job.report.append(_report_entry(planned, action, titles[planned.path]))
    progress.flush()
    job.counts = counts


def import_run(*, job_id: str) -> str:
    """Run (or resume) an import job; returns its final status, or 'skipped' if this delivery has nothing to do."""
    job = job_claim(job_id=job_id)
    if job is None:
        return "skipped"
    try:
        with job.upload.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            _run(job, archive)
    except JobCancelled:
        job_finish(job=job, status=Job.Status.CANCELLED, reason="Cancelled; the notes imported so far are kept.")
        return Job.Status.CANCELLED
    except (UnsafeArchive, zipfile.BadZipFile, OSError, EOFError) as exc:
        job_finish(job=job, status=Job.Status.FAILED, reason=f"The archive was refused: {exc}")
        return Job.Status.FAILED
    job_finish(job=job, status=Job.Status.SUCCEEDED)
    return Job.Status.SUCCEEDED
