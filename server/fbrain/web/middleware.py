"""Site-wide middleware for the browser pages: Content-Security-Policy and htmx-aware sign-in redirects."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from fbrain.core.errors import DomainError

# Scripts and styles come only from our own static files: no inline script, no eval. Images may come from
# anywhere over https because notes embed pictures from the web; an image cannot run code.
DEFAULT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Nothing is exempt: Swagger UI (/api/docs/) comes from our static files with a separate start-up script.
DEFAULT_EXEMPT_PREFIXES: tuple[str, ...] = ()


def build_policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the site's Content-Security-Policy to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        directives = {**DEFAULT_POLICY, **getattr(settings, "CSP_DIRECTIVES", {})}
        self.policy = build_policy(directives)
        self.exempt = tuple(getattr(settings, "CSP_EXEMPT_PREFIXES", DEFAULT_EXEMPT_PREFIXES))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not request.path.startswith(self.exempt):
            response["Content-Security-Policy"] = self.policy
        return response


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session expired gets a full-page redirect to sign-in, then back to the page.

    Without this, htmx would follow the 302 and swap the sign-in form into a fragment of the page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302):
            return response
        login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response.get("Location", "")).path != login_path:
            return response
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path or "/"
        if current.query:
            back = f"{back}?{current.query}"
        redirect = HttpResponse(status=200)
        redirect["HX-Redirect"] = f"{login_path}?{urlencode({'next': back})}"
        return redirect


class DomainErrorPageMiddleware:
    """A service error that a page view did not handle becomes the matching friendly page (404, 409, ...)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = f"{exception.status_code}.html"
        try:
            get_template(template)
        except TemplateDoesNotExist:
            template = "400.html"
        return render(request, template, {"message": exception.message}, status=exception.status_code)
