"""Rate limits for sign-in, sign-up and token creation; rates come from settings at request time."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates: dict[str, str] = settings.FBRAIN_THROTTLE_RATES
        return rates.get(self.scope or "")


class LoginIpThrottle(_SettingsRateThrottle):
    """Sign-in attempts per client address."""

    scope = "login_ip"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginAccountThrottle(_SettingsRateThrottle):
    """Sign-in attempts per account name, whichever address they come from."""

    scope = "login_account"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        username = str(data.get("username", "")).strip().lower()[:150]
        if not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": username}


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
