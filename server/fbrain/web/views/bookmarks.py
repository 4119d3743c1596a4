"""Bookmarks page: add by URL, live capture status (htmx polls pending rows), recapture."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fbrain.bookmarks import selectors, services
from fbrain.bookmarks.models import Bookmark
from fbrain.core.errors import DomainError
from fbrain.core.validation import page_params
from fbrain.web.forms import BookmarkForm, add_domain_error
from fbrain.web.params import BookmarkListParams

PAGE_SIZE = 50


def _render(request: HttpRequest, form: BookmarkForm, status: int = 200) -> HttpResponse:
    query = page_params(BookmarkListParams, request)
    wanted = query.get("status", "")
    bookmarks = selectors.bookmark_list(owner=request.user, status=wanted or None).prefetch_related(
        "note__note_tags__tag"
    )
    page = Paginator(bookmarks, PAGE_SIZE).get_page(query["page"])
    return render(
        request,
        "web/bookmarks/list.html",
        {"form": form, "page": page, "status": wanted, "statuses": Bookmark.Status.choices},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bookmark_list(request: HttpRequest) -> HttpResponse:
    """GET lists the bookmarks; POST adds one (the same URL again shows the existing bookmark)."""
    if request.method == "GET":
        return _render(request, BookmarkForm())
    form = BookmarkForm(request.POST)
    if form.is_valid():
        try:
            result = services.bookmark_create(
                owner=request.user, url=form.cleaned_data["url"], tags=form.cleaned_data["tags"] or None
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if result.created:
                messages.success(request, "Bookmark saved; its page is being captured.")
            else:
                messages.info(request, "You already had this bookmark; here it is.")
            return redirect("web:bookmarks")
    return _render(request, form, status=400)


@login_required
@require_GET
def bookmark_row(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    """One row of the list, polled by htmx while the capture is pending (the reply stops the polling)."""
    bookmark = selectors.bookmark_get(owner=request.user, bookmark_id=bookmark_id)
    return render(request, "web/bookmarks/_row.html", {"bookmark": bookmark})


@login_required
@require_POST
def bookmark_recapture(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    bookmark = selectors.bookmark_get(owner=request.user, bookmark_id=bookmark_id)
    bookmark = services.bookmark_recapture(bookmark=bookmark)
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/bookmarks/_row.html", {"bookmark": bookmark})
    messages.success(request, "Capturing the page again.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("web:bookmarks")
