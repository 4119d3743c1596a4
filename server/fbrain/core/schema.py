"""OpenAPI pieces shared by every API: the error body, the error responses, and what the schema says of input."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    # Declared in get_fields: a class attribute named `fields` would shadow Serializer.fields.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "code": serializers.CharField(help_text="Machine-readable code: `invalid`, `not_found`, `conflict`, ..."),
            "message": serializers.CharField(help_text="What went wrong, for a person."),
            "fields": serializers.DictField(help_text="Problems per input field: `{field: [message, ...]}`."),
        }


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


ERROR_RESPONSES = {
    400: error_response("Invalid input: `fields` names each problem."),
    401: error_response("Not authenticated (missing, invalid or revoked token)."),
    403: error_response("Authenticated but not allowed."),
    404: error_response("Not found (or not yours)."),
    405: error_response("Method not allowed."),
    406: error_response("Cannot produce the requested media type."),
    413: error_response("Request body too large."),
    415: error_response("Unsupported media type."),
    429: error_response("Too many requests: retry after the number of seconds in Retry-After."),
}


class TextFieldExtension(OpenApiSerializerFieldExtension):
    """A TextField's schema says its pattern too: the rules the server checks beyond type and length."""

    target_class = "fbrain.core.validation.TextField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["pattern"] = self.target.pattern
        return schema


def strict_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every request body object refuses unknown properties, as the server does."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                schema = media.get("schema", {})
                if "$ref" in schema:
                    schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
                if schema.get("type") == "object":
                    schema["additionalProperties"] = False
    return result
