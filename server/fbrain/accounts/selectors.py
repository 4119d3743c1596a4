"""Reads for accounts: a user's tokens, the token behind a presented key, and whether setup is due."""

from django.contrib.auth import get_user_model
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


def setup_needed() -> bool:
    """True while the database has no user at all: the first page then offers to create the first account."""
    return not get_user_model().objects.exists()
