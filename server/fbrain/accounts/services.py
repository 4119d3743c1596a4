"""Writes for accounts: sign-up, token creation, renaming, revocation and use tracking."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from fbrain.accounts.models import ApiToken
from fbrain.core.errors import NotFound, ValidationFailed

TOKEN_PREFIX = "fb_"  # noqa: S105 (a marker, not a secret)
# Writing last_used_at on every request would turn reads into writes; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _clean_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationFailed("A token needs a name.", fields={"name": ["This field may not be blank."]})
    if len(cleaned) > 100:
        raise ValidationFailed("Token name too long.", fields={"name": ["At most 100 characters."]})
    return cleaned


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the secret, which is never retrievable again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=_clean_name(name), prefix=key[:10], key_hash=hash_token(key))
    return token, key


def token_rename(*, user: User, token_id: int, name: str) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    token.name = _clean_name(name)
    token.save(update_fields=["name"])
    return token


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s tokens; it stops working on the next request. Revoking twice is harmless."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_mark_used(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _new_user(*, username: str, password: str, email: str, administrator: bool) -> User:
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=administrator, is_superuser=administrator)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed("Cannot create this account.", fields=errors)
    user.set_password(password)
    user.save()
    return user


def user_sign_up(*, username: str, password: str, email: str = "") -> User:
    """Create an ordinary user after Django's username and password validation."""
    return _new_user(username=username, password=password, email=email, administrator=False)


@transaction.atomic
def user_create_first(*, username: str, password: str, email: str = "") -> User:
    """Create the installation's first account, an administrator (staff and superuser).

    NotFound (404) once any user exists: the setup page exists only on an empty database. Concurrent setups
    are serialised (SQLite's writers queue anyway; Postgres takes a table lock), so only one of them wins.
    """
    user_model = get_user_model()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(user_model._meta.db_table)} IN EXCLUSIVE MODE")
    if user_model.objects.exists():
        raise NotFound("This installation already has accounts.")
    return _new_user(username=username, password=password, email=email, administrator=True)
