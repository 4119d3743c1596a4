"""Trash: restore a note, purge one for good, empty the whole trash."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from fbrain.core.errors import DomainError
from fbrain.core.validation import page_params
from fbrain.notes import selectors, services
from fbrain.web.params import ListPageParams


@login_required
@require_GET
def trash_list(request: HttpRequest) -> HttpResponse:
    number = page_params(ListPageParams, request)["page"]
    page = Paginator(selectors.trash_list(owner=request.user), 50).get_page(number)
    return render(request, "web/trash.html", {"page": page})


@login_required
@require_POST
def trash_restore(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.trash_get(owner=request.user, note_id=note_id)
    try:
        services.note_restore(note=note)
    except DomainError as error:
        messages.error(request, f"Cannot restore “{note.title}”: {error.message} Rename the other note first.")
        return redirect("web:trash")
    messages.success(request, f"Restored “{note.title}”.")
    return redirect("notes:detail", note.pk)


@login_required
@require_POST
def trash_purge(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.trash_get(owner=request.user, note_id=note_id)
    services.note_purge(note=note)
    messages.success(request, f"Deleted “{note.title}” for good.")
    return redirect("web:trash")


@login_required
@require_POST
def trash_empty(request: HttpRequest) -> HttpResponse:
    count = services.trash_empty(owner=request.user)
    messages.success(request, f"Emptied the trash ({count} note{'s' if count != 1 else ''} deleted for good).")
    return redirect("web:trash")
