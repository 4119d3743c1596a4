"""History of a note: its revisions, a diff against the current text, restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from fbrain.core.errors import DomainError
from fbrain.core.validation import page_params
from fbrain.notes import selectors, services
from fbrain.web.params import RevisionDiffParams
from fbrain.web.text import diff_lines


@login_required
@require_GET
def revision_list(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.note_get(owner=request.user, note_id=note_id)
    revisions = selectors.revision_list(owner=request.user, note=note)
    return render(request, "web/notes/history.html", {"note": note, "revisions": revisions})


@login_required
@require_GET
def revision_diff(request: HttpRequest, note_id: int, revision_id: int) -> HttpResponse:
    """What changed from this revision to the current text, or to another revision (`?against=<id>`)."""
    note = selectors.note_get(owner=request.user, note_id=note_id)
    revision = selectors.revision_get(owner=request.user, note=note, revision_id=revision_id)
    against = None
    against_id = page_params(RevisionDiffParams, request).get("against")
    if against_id is not None:
        against = selectors.revision_get(owner=request.user, note=note, revision_id=against_id)
    new_version, new_title, new_body = (
        (against.version, against.title, against.body) if against else (note.version, note.title, note.body)
    )
    old_label, new_label = f"version {revision.version}", f"version {new_version}"
    return render(
        request,
        "web/notes/revision.html",
        {
            "note": note,
            "revision": revision,
            "against": against,
            "new_version": new_version,
            "new_title": new_title,
            "title_changed": revision.title != new_title,
            "others": selectors.revision_list(owner=request.user, note=note).exclude(pk=revision.pk),
            "diff": diff_lines(revision.body, new_body, old_label=old_label, new_label=new_label),
        },
    )


@login_required
@require_POST
def revision_restore(request: HttpRequest, note_id: int, revision_id: int) -> HttpResponse:
    note = selectors.note_get(owner=request.user, note_id=note_id)
    revision = selectors.revision_get(owner=request.user, note=note, revision_id=revision_id)
    try:
        restored = services.revision_restore(revision=revision)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("notes:revision", note.pk, revision.pk)
    messages.success(request, f"Restored version {revision.version} as version {restored.version}.")
    return redirect("notes:detail", note.pk)
