"""One rule for oversized request bodies: a 413 in the one error shape, naming the limit that applies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework.views import APIView

from fbrain.core.errors import too_large_response

# An API view says which setting bounds its request body with `max_body_setting` (None: the view checks its own,
# e.g. an upload's archive limit); without one, API_BODY_MAX_BYTES applies.
DEFAULT_SETTING = "API_BODY_MAX_BYTES"


def body_limit(view_func: Callable[..., Any]) -> int | None:
    """The request body limit of an API view in bytes, or None for other views (Django's limit applies)."""
    view_class = getattr(view_func, "cls", None)
    if not isinstance(view_class, type) or not issubclass(view_class, APIView):
        return None
    name = getattr(view_class, "max_body_setting", DEFAULT_SETTING)
    return None if name is None else int(getattr(settings, name))


def content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body then either


class RequestBodyLimitMiddleware:
    """Refuse an API request whose declared body exceeds its view's limit, before anything reads it.

    Bodies of other views are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, which Django checks when it reads them
    (fbrain.core.errors turns that into the same 413).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        limit = body_limit(view_func)
        if limit is None or content_length(request) <= limit:
            return None
        return too_large_response(request, limit)
