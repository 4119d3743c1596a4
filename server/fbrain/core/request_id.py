"""Request ids: taken from `X-Request-ID` (or generated), logged, and echoed in the response."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fbrain.core.context import request_id_var

HEADER = "X-Request-ID"
# A client-chosen id lands in logs: accept only a short, plain token.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def make_request_id(incoming: str | None) -> str:
    if incoming and _VALID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = make_request_id(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response
