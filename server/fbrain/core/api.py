"""Operator-facing API: service status, the Swagger UI page, and the JSON 404 for unknown API paths."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve
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


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a separate file, so the page runs under the site's CSP."""

    # DRF finalizes any HttpResponseBase; its stubs only name Response.
    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        # A person opening the page signed out is sent to sign in, then back; the script itself answers 401.
        signed_out = isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed)
        if signed_out and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
