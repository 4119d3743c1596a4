"""OpenAPI pieces shared by every API: the error body and the error responses each operation may give."""

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
