"""Security headers on every response: Referrer-Policy, X-Content-Type-Options, Permissions-Policy.

Content-Security-Policy is set by fbrain.web.middleware; HSTS, secure cookies and the SSL redirect by
Django's SecurityMiddleware with the production settings. This middleware only adds what those leave out
and never overrides a header a view set on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# F_BRAIN needs no powerful browser feature: deny them all to our pages and to anything they embed.
DEFAULT_PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "autoplay": "()",
    "camera": "()",
    "display-capture": "()",
    "encrypted-media": "()",
    "fullscreen": "(self)",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "picture-in-picture": "()",
    "publickey-credentials-get": "()",
    "screen-wake-lock": "()",
    "usb": "()",
    "xr-spatial-tracking": "()",
    "interest-cohort": "()",
}


def build_permissions_policy(directives: dict[str, str]) -> str:
    return ", ".join(f"{feature}={allow}" for feature, allow in directives.items())


class SecurityHeadersMiddleware:
    """Adds Referrer-Policy, X-Content-Type-Options and Permissions-Policy where a response lacks them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        directives = {**DEFAULT_PERMISSIONS_POLICY, **getattr(settings, "PERMISSIONS_POLICY", {})}
        referrer = getattr(settings, "SECURE_REFERRER_POLICY", None) or "same-origin"
        if not isinstance(referrer, str):
            referrer = ",".join(referrer)
        self.headers = {
            "Referrer-Policy": referrer,
            "X-Content-Type-Options": "nosniff",
            "Permissions-Policy": build_permissions_policy(directives),
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response
