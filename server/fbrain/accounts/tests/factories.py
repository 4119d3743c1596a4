"""Factories for accounts: API tokens with their one-time secret."""

from fbrain.accounts import services
from fbrain.accounts.models import ApiToken


def make_token(user: object, name: str = "test token") -> tuple[ApiToken, str]:
    """Create a token for `user` through the service; returns (row, secret key)."""
    return services.token_create(user=user, name=name)  # type: ignore[arg-type]


def token_client(api_client: object, user: object) -> object:
    """Authenticate `api_client` with a fresh API token of `user`."""
    _, key = make_token(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")  # type: ignore[attr-defined]
    return api_client
