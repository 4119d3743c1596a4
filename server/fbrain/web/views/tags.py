"""Tags page: every tag with its count, rename one, merge several."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fbrain.core.errors import DomainError
from fbrain.notes import selectors, services
from fbrain.web.forms import TagMergeForm, TagRenameForm, add_domain_error


def _render(request: HttpRequest, *, merge: TagMergeForm | None = None, status: int = 200) -> HttpResponse:
    tags = list(selectors.tag_list(owner=request.user))
    merge = merge or TagMergeForm(tag_names=[tag.name for tag in tags])
    return render(
        request,
        "web/tags.html",
        {"tags": tags, "merge": merge},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def tag_index(request: HttpRequest) -> HttpResponse:
    return _render(request)


@login_required
@require_http_methods(["GET", "POST"])
def tag_rename(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = selectors.tag_get(owner=request.user, tag_id=tag_id)
    form = TagRenameForm(request.POST or None, initial={"name": tag.name})
    if request.method == "POST" and form.is_valid():
        try:
            renamed = services.tag_rename(tag=tag, name=form.cleaned_data["name"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Renamed #{tag.name} to #{renamed.name} in every note.")
            return redirect("web:tags")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/tag_rename.html", {"tag": tag, "form": form}, status=status)


@login_required
@require_POST
def tag_merge(request: HttpRequest) -> HttpResponse:
    tags = {tag.name: tag for tag in selectors.tag_list(owner=request.user)}
    form = TagMergeForm(request.POST, tag_names=list(tags))
    if form.is_valid():
        try:
            target = services.tag_merge(
                owner=request.user,
                sources=[tags[name] for name in form.cleaned_data["sources"]],
                target_name=form.cleaned_data["target"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Merged into #{target.name}.")
            return redirect("web:tags")
    return _render(request, merge=form, status=400)
