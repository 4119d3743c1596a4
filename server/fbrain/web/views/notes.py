"""Note pages: list with tag sidebar, view with backlinks, editor with live preview and conflict compare."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fbrain.bookmarks import selectors as bookmark_selectors
from fbrain.core.errors import DomainError
from fbrain.core.validation import page_params
from fbrain.notes import selectors, services
from fbrain.notes.models import Note
from fbrain.notes.parsing import parse_body
from fbrain.notes.rendering import render_markdown
from fbrain.notes.services import StaleVersion
from fbrain.web import params
from fbrain.web.forms import NoteForm, add_domain_error
from fbrain.web.text import diff_lines, flatten_tree, link_context, tag_tree

PAGE_SIZE = 50
# The editor path whose browser-side draft the next note page may delete (set only after a successful save).
SAVED_DRAFTS = "web_saved_draft"
BACKLINKS_SHOWN = 100
SORTS: dict[str, tuple[Any, ...]] = {
    "updated": ("-updated_at", "-id"),
    "created": ("-created_at", "-id"),
    "title": (Lower("title"), "id"),
}


@login_required
@require_GET
def note_list(request: HttpRequest) -> HttpResponse:
    """The owner's notes, newest first, filtered by tag (children included), kind, pinned and archived."""
    query_in = page_params(params.NoteListParams, request)
    tag, kind, sort = query_in.get("tag", ""), query_in.get("kind", ""), query_in["sort"]
    notes = selectors.note_list(
        owner=request.user,
        tag=tag or None,
        kind=kind or None,
        pinned=query_in["pinned"],
        # Archived notes stay out of the list unless asked for.
        archived=bool(query_in["archived"]),
    ).order_by(*SORTS[sort])
    page = Paginator(notes, PAGE_SIZE).get_page(query_in["page"])
    # `note_count` is annotated by the selector.
    tags = selectors.tag_list(owner=request.user).values_list("name", "note_count")  # type: ignore[misc]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/notes/list.html",
        {
            "page": page,
            "tag_rows": flatten_tree(tag_tree(tags)),
            "tag": tag,
            "kind": kind,
            "sort": sort,
            "filters": request.GET,
            "query": query.urlencode(),
            "kinds": Note.Kind.choices,
        },
    )


def _backlinks_with_context(owner: Any, note: Note) -> tuple[list[dict[str, Any]], int]:
    links = list(selectors.backlinks(owner=owner, note=note)[: BACKLINKS_SHOWN + 1])
    more = len(links) > BACKLINKS_SHOWN
    links = links[:BACKLINKS_SHOWN]
    bodies = dict(
        selectors.note_list(owner=owner, with_body=True)
        .filter(id__in={link.source_id for link in links})
        .values_list("id", "body")
    )
    seen: set[int] = set()
    result = []
    for link in links:
        if link.source_id in seen:
            continue
        seen.add(link.source_id)
        result.append(
            {"source": link.source, "context": link_context(bodies.get(link.source_id, ""), link.target_title)}
        )
    return result, int(more)


@login_required
@require_GET
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.note_get(owner=request.user, note_id=note_id)
    backlinks, more = _backlinks_with_context(request.user, note)
    outgoing = list(selectors.outgoing_links(owner=request.user, note=note))
    bookmark = None
    if note.kind == Note.Kind.BOOKMARK:
        bookmark = bookmark_selectors.bookmark_list(owner=request.user).filter(pk=note.pk).first()
    return render(
        request,
        "web/notes/detail.html",
        {
            "note": note,
            "bookmark": bookmark,
            "html": selectors.note_html(note=note),
            "backlinks": backlinks,
            "more_backlinks": more,
            "resolved": [link for link in outgoing if link.target_id],
            "pending": [link for link in outgoing if not link.target_id],
            "revision_count": selectors.revision_list(owner=request.user, note=note).count(),
            "saved_drafts": request.session.pop(SAVED_DRAFTS, ""),
        },
    )


def _editor(request: HttpRequest, form: NoteForm, note: Note | None, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "web/notes/edit.html", {"form": form, "note": note, **extra}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest) -> HttpResponse:
    """New note; `?title=` pre-fills the title (a pending link's "create this note")."""
    if request.method == "GET":
        title = page_params(params.NoteCreateParams, request).get("title", "")
        return _editor(request, NoteForm(initial={"title": title[:200]}), None)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.note_create(
                owner=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Created “{note.title}”.")
            request.session[SAVED_DRAFTS] = reverse("notes:create")
            return redirect("notes:detail", note.pk)
    return _editor(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    """Edit title and body. A save based on an older version shows both texts instead of overwriting."""
    note = selectors.note_get(owner=request.user, note_id=note_id)
    if request.method == "GET":
        initial = {"title": note.title, "body": note.body, "version": note.version, "rewrite_links": True}
        return _editor(request, NoteForm(initial=initial), note)
    form = NoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.note_update(
                note=note,
                expected_version=data["version"],
                title=data["title"],
                body=data["body"],
                rewrite_links=data["rewrite_links"],
            )
        except StaleVersion:
            current = selectors.note_get(owner=request.user, note_id=note_id)
            # The next save is a deliberate overwrite of the version the person has now seen.
            form = NoteForm({**request.POST.dict(), "version": current.version})
            form.is_valid()
            diff = diff_lines(current.body, data["body"], old_label=f"version {current.version}", new_label="your text")
            return _editor(request, form, current, status=409, conflict=current, diff=diff)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Saved “{saved.title}” (version {saved.version}).")
            request.session[SAVED_DRAFTS] = reverse("notes:edit", args=[saved.pk])
            return redirect("notes:detail", saved.pk)
    return _editor(request, form, note, status=400)


@login_required
@require_POST
def note_preview(request: HttpRequest) -> HttpResponse:
    """The live preview of the editor: the body rendered and sanitised like a saved note."""
    body = request.POST.get("body", "")
    try:
        titles = {link.title.lower() for link in parse_body(body).links}
    except ValueError as error:
        return HttpResponse(format_html('<p class="error">{}</p>', str(error)))
    targets = dict(
        selectors.note_list(owner=request.user)
        .annotate(key=Lower("title"))
        .filter(key__in=titles)
        .values_list("key", "id")
    )
    html = render_markdown(body, link_targets=targets) if body.strip() else '<p class="muted">Nothing to preview.</p>'
    return HttpResponse(html)


@login_required
@require_POST
def note_delete(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.note_get(owner=request.user, note_id=note_id)
    services.note_delete(note=note)
    messages.success(request, f"Moved “{note.title}” to the trash. You can restore it from the trash.")
    return redirect("notes:list")


@login_required
@require_POST
def note_toggle(request: HttpRequest, note_id: int, field: str) -> HttpResponse:
    """Pin/unpin or archive/unarchive without touching the text."""
    note = selectors.note_get(owner=request.user, note_id=note_id)
    if field == "pinned":
        services.note_update(note=note, pinned=not note.pinned)
    else:
        services.note_update(note=note, archived=not note.archived)
    return redirect("notes:detail", note.pk)


@login_required
@require_GET
def title_suggestions(request: HttpRequest) -> JsonResponse:
    """Titles for `[[` autocomplete: prefix matches first, then substring matches; at most 10."""
    query = page_params(params.SuggestionParams, request).get("q", "").lower()[:100]
    notes = selectors.note_list(owner=request.user).annotate(key=Lower("title"))
    prefix = list(notes.filter(key__startswith=query).order_by("key").values_list("title", flat=True)[:10])
    if len(prefix) < 10 and query:
        rest = notes.filter(key__contains=query).exclude(key__startswith=query).order_by("key")
        prefix += list(rest.values_list("title", flat=True)[: 10 - len(prefix)])
    return JsonResponse({"results": prefix})


@login_required
@require_GET
def tag_suggestions(request: HttpRequest) -> JsonResponse:
    """Tags for `#` autocomplete, most used first."""
    query = page_params(params.SuggestionParams, request).get("q", "").lstrip("#").lower()[:100]
    tags = selectors.tag_list(owner=request.user).annotate(key=Lower("name")).filter(key__startswith=query)
    names = list(tags.order_by("-note_count", "key").values_list("name", flat=True)[:10])  # type: ignore[misc]
    return JsonResponse({"results": names})
