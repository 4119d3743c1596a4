"""Database and broker outages answer a clean 503 (JSON under /api/, a plain page elsewhere), never a 500.

Django turns an exception into a 500 response at the layer where it was raised, so an outer middleware
cannot catch it. Instead a `got_request_exception` receiver marks the request when the exception is a
database connection error or a failed publish to the Celery broker, and `DatabaseUnavailableMiddleware`
(outermost but for metrics and request ids) replaces that response with a 503 and a Retry-After header.
Nothing is restarted: Django drops the broken connection at the end of the request (CONN_HEALTH_CHECKS)
and the next request reconnects; kombu reconnects to the broker on the next publish.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from kombu.exceptions import OperationalError as BrokerError

from fbrain.core.errors import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGES = {
    "database_unavailable": "The database is unavailable. Please try again in a few seconds.",
    "queue_unavailable": "The task queue is unavailable. Please try again in a few seconds.",
}
MESSAGE = MESSAGES["database_unavailable"]
_MARK = "_fbrain_unavailable"
# Deliberately self-contained: rendering the site template would touch the session, hence the database.
HTML_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>F_BRAIN is unavailable</title></head>"
    "<body><h1>Temporarily unavailable</h1><p>" + MESSAGE + "</p></body></html>"
)


def unavailable_code(exc: BaseException | None) -> str | None:
    """`database_unavailable` or `queue_unavailable` for outage errors (not for bad queries), else None."""
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return "database_unavailable"
        if isinstance(exc, BrokerError):
            return "queue_unavailable"
        exc = exc.__cause__ or exc.__context__
    return None


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for connection-level database errors (server down, connection lost), not for bad queries."""
    return unavailable_code(exc) == "database_unavailable"


def _mark_request(sender: Any, request: HttpRequest | None = None, **_: Any) -> None:
    code = unavailable_code(sys.exc_info()[1])
    if request is not None and code:
        setattr(request, _MARK, code)


got_request_exception.connect(_mark_request, dispatch_uid="fbrain.core.db_errors")


def unavailable_response(request: HttpRequest, code: str = "database_unavailable") -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(code, MESSAGES[code]), status=503)
    else:
        page = HTML_PAGE.replace(MESSAGE, MESSAGES[code])
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns the 500 of a request that failed on a database or broker connection error into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = getattr(request, _MARK, None)
        if code:
            logger.warning("dependency unavailable: answered 503", extra={"path": request.path, "code": code})
            return unavailable_response(request, code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A view's exception reaches here before Django logs and renders a 500.
        code = unavailable_code(exception)
        if code:
            logger.warning("dependency unavailable: answered 503", extra={"path": request.path, "code": code})
            return unavailable_response(request, code)
        return None
