"""Rate limits for sign-in, sign-up and token creation; rates come from settings at request time."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from fbrain.core.business_metrics import SIGN_INS_REFUSED


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates: dict[str, str] = settings.FBRAIN_THROTTLE_RATES
        return rates.get(self.scope or "")


class _SignInThrottle(_SettingsRateThrottle):
    """Counts every sign-in attempt; the API, the sign-in page and the admin share one budget per key."""

    reason = ""
    path = ""

    def allow_request(self, request: Request, view: APIView) -> bool:
        # The path of a sign-in view: three values at most, so a safe metric label.
        self.path = request.path
        return super().allow_request(request, view)

    def throttle_failure(self) -> bool:
        SIGN_INS_REFUSED.labels(path=self.path, reason=self.reason).inc()
        return False


class LoginIpThrottle(_SignInThrottle):
    """Sign-in attempts per client address."""

    scope = "login_ip"
    reason = "ip"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginAccountThrottle(_SignInThrottle):
    """Sign-in attempts per account name, whichever address they come from."""

    scope = "login_account"
    reason = "account"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        username = str(data.get("username", "")).strip().lower()[:150]
        if not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": username}


def sign_in_wait(request: HttpRequest) -> float | None:
    """Count a sign-in form post against both limits; the seconds until the next try when one refuses it."""
    form_request = Request(request, parsers=[FormParser()])
    view = APIView()
    # Both limits are asked (and count the attempt when they allow it), as DRF's own check does.
    waits = [
        throttle.wait() or 1.0
        for throttle in (LoginIpThrottle(), LoginAccountThrottle())
        if not throttle.allow_request(form_request, view)
    ]
    return max(waits) if waits else None


class SignupThrottle(_SettingsRateThrottle):
    scope = "signup"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenCreateThrottle(_SettingsRateThrottle):
    scope = "token_create"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk or self.get_ident(request)}
