"""Operator-facing API: service status; plus the JSON 404 for unknown API paths."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fbrain.core import health
from fbrain.core.errors import error_body
from fbrain.core.schema import ERROR_RESPONSES


class StatusApi(APIView):
    """Version, dependency state, Celery workers and queue lengths (staff only)."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="status_retrieve",
        responses={
            200: inline_serializer(
                "Status",
                {
                    "version": serializers.CharField(),
                    "revision": serializers.CharField(),
                    "checks": serializers.DictField(child=serializers.DictField()),
                    "celery": serializers.DictField(),
                    "queues": serializers.DictField(child=serializers.IntegerField(allow_null=True)),
                },
            ),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        checks = health.readiness_checks()
        return Response(
            {
                "version": settings.APP_VERSION,
                "revision": settings.GIT_REVISION,
                "checks": {result.name: result.as_dict() for result in checks},
                "celery": health.worker_ping(timeout=1.0),
                "queues": health.queue_lengths(),
            }
        )


# No view answers here, so there is nothing for CSRF to protect: an unknown path is a JSON 404 for every method.
@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("not_found", f"No API endpoint at {request.path}."), status=404)
