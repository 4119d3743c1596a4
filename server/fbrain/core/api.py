"""Operator-facing API: service status, the Swagger UI page, and the JSON 404 for unknown API paths."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
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


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a separate file, so the page runs under the site's CSP."""

    # DRF finalizes any HttpResponseBase; its stubs only name Response.
    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        # A person opening the page signed out is sent to sign in, then back; the script itself answers 401.
        signed_out = isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed)
        if signed_out and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
