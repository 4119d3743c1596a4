"""Reads for accounts: a user's tokens, and the token behind a presented key."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from fbrain.accounts.models import ApiToken
from fbrain.accounts.services import TOKEN_PREFIX, hash_token


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_for_key(*, key: str) -> ApiToken | None:
    """The active token whose secret is `key`, with its user, or None."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
