"""Security headers: every response carries Referrer-Policy, X-Content-Type-Options and Permissions-Policy."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from fbrain.core.security import DEFAULT_PERMISSIONS_POLICY, SecurityHeadersMiddleware, build_permissions_policy

SECURITY_MIDDLEWARE = "fbrain.core.security.SecurityHeadersMiddleware"


@pytest.fixture
def with_headers(settings):
    if SECURITY_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, SECURITY_MIDDLEWARE]
    return settings


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/tokens/", "/api/nope", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, with_headers, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy


def test_permissions_policy_setting_overrides_one_feature(settings):
    settings.PERMISSIONS_POLICY = {"fullscreen": "()"}
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse("ok"))

    response = middleware(RequestFactory().get("/"))

    assert "fullscreen=()" in response["Permissions-Policy"]
    assert "fullscreen=(self)" not in response["Permissions-Policy"]


def test_a_header_set_by_the_view_is_kept(settings):
    settings.SECURE_REFERRER_POLICY = ["no-referrer", "strict-origin"]

    def view(request):
        response = HttpResponse("ok")
        response["Permissions-Policy"] = "camera=(self)"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))

    assert response["Permissions-Policy"] == "camera=(self)"
    assert response["Referrer-Policy"] == "no-referrer,strict-origin"


def test_policy_string_lists_every_feature():
    policy = build_permissions_policy(DEFAULT_PERMISSIONS_POLICY)

    assert policy.count("=") == len(DEFAULT_PERMISSIONS_POLICY)
    assert "interest-cohort=()" in policy
