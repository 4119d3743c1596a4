"""Settings page: API tokens (create with a one-time secret, list, revoke) and the password link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fbrain.accounts import selectors as account_selectors
from fbrain.accounts import services as account_services
from fbrain.core.errors import DomainError
from fbrain.web.forms import TokenCreateForm, add_domain_error


def _render(request: HttpRequest, form: TokenCreateForm, new_key: str = "", status: int = 200) -> HttpResponse:
    tokens = account_selectors.token_list(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "web/settings.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """GET shows the tokens; POST creates one and shows its secret in this response only."""
    if request.method == "GET":
        return _render(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            _, key = account_services.token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _render(request, TokenCreateForm(), new_key=key, status=201)
    return _render(request, form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = account_services.token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("web:settings")
