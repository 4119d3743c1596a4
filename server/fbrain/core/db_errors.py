"""Database outages answer a clean 503 (JSON under /api/, a plain page elsewhere) instead of a 500.

Django turns an exception into a 500 response at the layer where it was raised, so an outer middleware
cannot catch it. Instead a `got_request_exception` receiver marks the request when the exception is a
database connection error, and `DatabaseUnavailableMiddleware` (outermost but for metrics and request ids)
replaces that response with a 503 and a Retry-After header. Nothing is restarted: Django drops the broken
connection at the end of the request (CONN_HEALTH_CHECKS) and the next request reconnects.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from fbrain.core.errors import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable. Please try again in a few seconds."
_MARK = "_fbrain_database_unavailable"
# Deliberately self-contained: rendering the site template would touch the session, hence the database.
HTML_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>F_BRAIN is unavailable</title></head>"
    "<body><h1>Temporarily unavailable</h1><p>" + MESSAGE + "</p></body></html>"
)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for connection-level database errors (server down, connection lost), not for bad queries."""
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _mark_request(sender: Any, request: HttpRequest | None = None, **_: Any) -> None:
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_request, dispatch_uid="fbrain.core.db_errors")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("database_unavailable", MESSAGE), status=503)
    else:
        response = HttpResponse(HTML_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns the 500 of a request that failed on a database connection error into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _MARK, False):
            logger.warning("database unavailable: answered 503", extra={"path": request.path})
            return unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A view's exception reaches here before Django logs and renders a 500.
        if is_database_unavailable(exception):
            logger.warning("database unavailable: answered 503", extra={"path": request.path})
            return unavailable_response(request)
        return None
