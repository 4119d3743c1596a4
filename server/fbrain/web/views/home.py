"""Home page: pinned and recent notes, recent bookmarks, and a quick-capture box."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fbrain.bookmarks import services as bookmark_services
from fbrain.core.errors import Conflict, DomainError
from fbrain.notes import selectors, services
from fbrain.notes.models import Note
from fbrain.web.forms import QuickCaptureForm, add_domain_error
from fbrain.web.text import capture_title

RECENT = 10


def _render(request: HttpRequest, form: QuickCaptureForm, status: int = 200) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/home.html")
    notes = selectors.note_list(owner=request.user, archived=False)
    context = {
        "capture": form,
        "pinned": notes.filter(pinned=True).order_by("-updated_at", "-id")[:RECENT],
        "recent": notes.filter(kind=Note.Kind.NOTE).order_by("-updated_at", "-id")[:RECENT],
        "bookmarks": notes.filter(kind=Note.Kind.BOOKMARK).order_by("-created_at", "-id")[:RECENT],
    }
    return render(request, "core/home.html", context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    return _render(request, QuickCaptureForm())


def _looks_like_url(text: str) -> bool:
    stripped = text.strip()
    return stripped.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in stripped)


def _capture_bookmark(request: HttpRequest, form: QuickCaptureForm, url: str) -> HttpResponse:
    try:
        result = bookmark_services.bookmark_create(owner=request.user, url=url)
    except DomainError as error:
        form.add_error("text", error.message)
        return _render(request, form, status=400)
    messages.success(
        request, "Bookmark saved; its page is being captured." if result.created else "Already bookmarked."
    )
    return redirect("notes:detail", result.bookmark.pk)


@login_required
@require_POST
def quick_capture(request: HttpRequest) -> HttpResponse:
    """A web address becomes a bookmark; other text a note titled by its first line (dated if taken)."""
    form = QuickCaptureForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["text"]
        if _looks_like_url(text):
            return _capture_bookmark(request, form, text.strip())
        title = capture_title(text) or "Quick note"
        try:
            try:
                note = services.note_create(owner=request.user, title=title, body=text)
            except Conflict:
                stamped = f"{title[:170]} ({timezone.localtime():%Y-%m-%d %H:%M:%S})"
                note = services.note_create(owner=request.user, title=stamped, body=text)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Captured “{note.title}”.")
            return redirect("notes:detail", note.pk)
    return _render(request, form, status=400)
