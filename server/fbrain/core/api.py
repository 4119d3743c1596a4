"""Operator-facing API: service status; plus the JSON 404 for unknown API paths."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
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


# Only endpoints answer through here, and DRF checks CSRF for session users itself: exempt, or every
# token-authenticated write to the other slash form would be refused for want of a CSRF cookie.
@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """A JSON 404 for unknown API paths; an endpoint asked with or without its trailing slash answers itself.

    One rule for every endpoint: both forms work. Not a redirect: many clients turn a redirected POST into a
    GET without its body.
    """
    path = request.path_info
    other = path[:-1] if path.endswith("/") else path + "/"
    try:
        match = resolve(other)
    except Resolver404:
        match = None
    if match is not None and match.func is not not_found:
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        return response
    return JsonResponse(error_body("not_found", f"No API endpoint at {request.path}."), status=404)
