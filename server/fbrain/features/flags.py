"""Feature flag names and the checks views use (django-waffle flags, switched per user, group or percent)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import waffle
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.request import Request

# The notes graph: the page, its data and GET /api/v1/graph/ (created by migration 0001).
GRAPH_VIEW = "graph_view"

# The audience each flag starts with (and gets back if its row is deleted); admins change it afterwards.
DEFAULTS: dict[str, dict[str, Any]] = {
    GRAPH_VIEW: {
        "everyone": None,
        "authenticated": True,
        "note": (
            "The graph page (/graph/) and GET /api/v1/graph/. On for every signed-in user through 'Authenticated'. "
            "To roll out gradually, untick 'Authenticated' and choose users, groups or a percentage; "
            "set 'Everyone' to No to turn it off for all."
        ),
    },
}


def feature_active(request: HttpRequest | Request, name: str) -> bool:
    """Whether flag `name` is on for this request's user; a missing flag is off (WAFFLE_FLAG_DEFAULT)."""
    # DRF wraps the Django request: share one `waffles` dict so WaffleMiddleware still sets the rollout cookie.
    django_request = getattr(request, "_request", request)
    if not hasattr(django_request, "waffles"):
        setattr(django_request, "waffles", {})  # noqa: B010 - an attribute waffle adds to HttpRequest
    return bool(waffle.flag_is_active(request, name))


def require_feature(request: HttpRequest | Request, name: str) -> None:
    """Answer 404 when the feature is off for this user, as if it did not exist (JSON in the API, a page else)."""
    if not feature_active(request, name):
        raise Http404("Not found.")


def feature_required(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a browser view so it answers 404 while flag `name` is off for the user."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_feature(request, name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
