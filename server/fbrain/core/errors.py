"""Domain errors and the single error shape: one DRF exception handler, JSON or HTML by path."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors services raise; each subclass maps to one HTTP status."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "invalid"


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class PreconditionFailed(DomainError):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    code = "precondition_failed"


class PayloadTooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "too_large"


class ServiceUnavailable(DomainError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "unavailable"


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _fields_of(detail: Any) -> dict[str, Any]:
    if not isinstance(detail, dict):
        return {}
    fields: dict[str, Any] = {}
    for key, value in detail.items():
        if key == "non_field_errors":
            continue
        fields[key] = _fields_of(value) if isinstance(value, dict) else [str(v) for v in _as_list(value)]
    return fields


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [item for entry in value for item in _as_list(entry)]
    return [value]


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return exc.default_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every API error into `{"error": {"code", "message", "fields"}}`."""
    # Imported here: rest_framework.views loads the authentication classes, which import services,
    # which import this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        django_detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=django_detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        # Unexpected: let Django log it and answer through handler500 (JSON for /api/).
        return None
    detail = exc.detail
    fields = _fields_of(detail) if isinstance(exc, exceptions.ValidationError) else {}
    message = "; ".join(_flatten(detail)) if isinstance(detail, dict | list) else str(detail)
    response.data = error_body(_code_of(exc), message, fields)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error_page(request: HttpRequest, status_code: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(code, message), status=status_code)
    return render(request, f"{status_code}.html", {"message": message}, status=status_code)


def describe_size(size: int) -> str:
    """`64 KiB`, `8 MiB`, `2.5 MiB`: how the limits read in messages and docs."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body is larger than {describe_size(limit)}, the limit for this request.")


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    """The 413 of a request body over `limit` bytes: JSON under /api/, a page elsewhere."""
    error = _too_large(limit)
    return _error_page(request, error.status_code, error.code, error.message)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Django refused to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE: too large, not malformed.
        return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return _error_page(request, 400, "bad_request", "The request could not be understood.")


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "permission_denied", "You do not have permission to do this.")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "not_found", "Not found.")


def handler500(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500, "server_error", "Something went wrong on our side. It has been logged.")
