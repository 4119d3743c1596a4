"""Search page: search as you type (htmx swaps the results), highlighted snippets, filters; works without JS."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from fbrain.notes import search
from fbrain.notes.models import Note

PAGE_SIZE = 20
FLAGS = {"yes": True, "no": False}


def _day(value: str, *, end: bool) -> datetime | None:
    day = parse_date(value) if value else None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _filters(params: Any) -> dict[str, Any]:
    kind = params.get("kind", "")
    return {
        "tag": params.get("tag", "").strip() or None,
        "kind": kind if kind in Note.Kind.values else None,
        "pinned": FLAGS.get(params.get("pinned", "")),
        "archived": FLAGS.get(params.get("archived", "")),
        "updated_from": _day(params.get("from", ""), end=False),
        "updated_to": _day(params.get("to", ""), end=True),
    }


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    result = None
    if query:
        result = search.note_search(
            owner=request.user,
            query=query,
            offset=(page_number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            **_filters(request.GET),
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
