"""Strict API input: JSON-typed fields, query-parameter parsing and the cursor-page schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from fbrain.core.errors import ValidationFailed

# Bounds shared by the API and the browser pages: ids are Postgres bigints; a page number beyond these is
# refused before it reaches an OFFSET (search ranks every match, so it stops sooner).
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
MAX_SEARCH_PAGE = 10_000


def no_surrogates(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise serializers.ValidationError("Text must be valid Unicode (no lone surrogates).") from None
    return value


# What the schema says of every text input (DRF refuses NUL; a trimmed field may not be only whitespace).
NO_NUL_PATTERN = "^[^\\u0000]*$"
NOT_BLANK_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class TextField(serializers.CharField):
    """A string and only a string (no number turned into text), without lone surrogates.

    `pattern` (a regular expression over the text as sent) is checked and published in the schema; without
    one, the schema states DRF's own rules: no NUL, and not only whitespace unless blank is allowed.
    """

    def __init__(self, *, pattern: str | None = None, pattern_message: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pattern = re.compile(pattern) if pattern else None
        self._pattern_message = pattern_message or "This value does not have the documented form."
        if pattern is None:
            pattern = NOT_BLANK_PATTERN if self.trim_whitespace and not self.allow_blank else NO_NUL_PATTERN
        self.pattern = pattern

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # Checked on the text as sent (before trimming), as the schema's pattern reads it.
        if self._pattern is not None and isinstance(data, str) and not self._pattern.search(data):
            raise serializers.ValidationError(self._pattern_message, code="invalid")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            # The schema's maxLength counts what was sent: trimming must not let a longer value through.
            self.fail("max_length", max_length=self.max_length)
        return no_surrogates(super().to_internal_value(data))


class JsonBooleanField(serializers.BooleanField):
    """`true` or `false` in a JSON body; not 0, 1 or "yes"."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class JsonIntegerField(serializers.IntegerField):
    """A JSON integer; not a string, a float or a boolean."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validate query parameters with `serializer_class`; a blank `?name=` is an error, not "absent"."""
    return _without_blanks(serializer_class, request.query_params)


def form_params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validate a form (multipart) body with `serializer_class`; a blank `name=` field or an unknown one is an error."""
    if isinstance(request.data, Mapping):
        _refuse_unknown(serializer_class(), request.data)
    return _without_blanks(serializer_class, request.data)


def _without_blanks(serializer_class: type[serializers.Serializer], values: Any) -> dict[str, Any]:
    data = serializer_class(data=values)
    # DRF reads an empty form or query value of an optional field as "absent" (the default applies); the
    # schema says it must be one of the allowed values, so it is an error.
    blank = {
        name: ["This field may not be blank."]
        for name, field in data.fields.items()
        if values.get(name, None) == "" and not getattr(field, "allow_blank", False)
    }
    if blank:
        raise exceptions.ValidationError(blank)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def page_params(serializer_class: type[serializers.Serializer], request: HttpRequest) -> dict[str, Any]:
    """Validate a browser page's query string with `serializer_class`, built from the API's fields and bounds.

    A blank value means "any" (what an HTML form's empty choice sends). A bad value raises ValidationFailed,
    which the pages show as a 400 naming the parameter.
    """
    values = {name: value for name, value in request.GET.items() if str(value).strip()}
    data = serializer_class(data=values)
    if data.is_valid():
        return dict(data.validated_data)
    fields = {name: [str(message) for message in messages] for name, messages in data.errors.items()}
    problems = "; ".join(f"{name}: {message}" for name, messages in fields.items() for message in messages)
    raise ValidationFailed(f"The address has a value this page cannot use ({problems}).", fields=fields)


def cursor_page(name: str, item: serializers.Serializer) -> serializers.Serializer:
    """The schema of a cursor-paginated list answer."""
    return inline_serializer(
        name,
        {
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item,
        },
    )


def body_params(
    serializer_class: type[serializers.Serializer], request: Request, payload: Any = None, *, partial: bool = False
) -> dict[str, Any]:
    """Validate a request body (a JSON object or a form) with `serializer_class`; unknown keys are errors.

    `partial`: every field is optional (PATCH), as the schema's `Patched...` request says.
    """
    payload = request.data if payload is None else payload
    if not isinstance(payload, dict):
        raise exceptions.ValidationError({"non_field_errors": ["Expected a JSON object."]})
    data = serializer_class(data=payload, partial=partial)
    _refuse_unknown(data, payload)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _refuse_unknown(serializer: serializers.Serializer, payload: Mapping[str, Any]) -> None:
    # A typo (`titel`) must not be silently ignored; the schema says `additionalProperties: false`.
    unknown = {key: ["Unknown field."] for key in payload if key not in serializer.fields}
    if unknown:
        raise exceptions.ValidationError(unknown)


class CursorQuery(serializers.Serializer):
    """The query parameters of a cursor-paginated list; list queries add their filters."""

    cursor = serializers.CharField(required=False, help_text="From `next`/`previous`.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class StrictCursorPagination(CursorPagination):
    """DRF's cursor pagination, with an unreadable `cursor` a 400 naming it (DRF answers 404, or 400 without
    a field when the cursor decodes to a position the ordering field cannot compare with)."""

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise _invalid_cursor() from None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise _invalid_cursor() from None


def _invalid_cursor() -> exceptions.ValidationError:
    return exceptions.ValidationError({"cursor": ["Invalid cursor."]})


class NewestFirstPagination(StrictCursorPagination):
    """Cursor pages of 50 (at most 100), newest first: stable while rows are added."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-pk")
