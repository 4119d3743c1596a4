"""API token authentication: `Authorization: Token <key>` or `Authorization: Bearer <key>`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from fbrain.accounts import selectors, services
from fbrain.accounts.models import ApiToken
from fbrain.core.business_metrics import API_TOKENS_USED

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid Authorization header: expected 'Token <key>' or 'Bearer <key>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = selectors.token_for_key(key=key)
        if token is None:
            raise AuthenticationFailed("Invalid or revoked token.")
        services.token_mark_used(token=token)
        API_TOKENS_USED.inc()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes unauthenticated API calls answer 401 (with this challenge) rather than 403.
        return 'Token realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "fbrain.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`; create keys at /api/v1/tokens/.",
        }
