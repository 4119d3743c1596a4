"""Search page: search as you type (htmx swaps the results), highlighted snippets, filters; works without JS."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from fbrain.core.validation import page_params
from fbrain.notes import search
from fbrain.notes.models import Note
from fbrain.web.params import SearchParams

PAGE_SIZE = 20


def _day(day: date | None, *, end: bool) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    wanted = page_params(SearchParams, request)
    query, page_number = wanted.get("q", ""), wanted["page"]
    result = None
    if query:
        result = search.note_search(
            owner=request.user,
            query=query,
            offset=(page_number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            tag=wanted.get("tag"),
            kind=wanted.get("kind"),
            pinned=wanted["pinned"],
            archived=wanted["archived"],
            updated_from=_day(wanted.get("from"), end=False),
            updated_to=_day(wanted.get("to"), end=True),
        )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "q": query,
        "result": result,
        "filters": request.GET,
        "kinds": Note.Kind.choices,
        "page_number": page_number,
        "has_next": bool(result and result.count > page_number * PAGE_SIZE),
        "query": params.urlencode(),
    }
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "results"
    response = render(request, "web/_search_results.html" if partial else "web/search.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
