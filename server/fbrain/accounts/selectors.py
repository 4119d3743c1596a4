"""Reads for accounts: a user's tokens, the token behind a presented key, and whether setup is due."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import QuerySet

from fbrain.accounts.models import ApiToken
from fbrain.accounts.services import TOKEN_PREFIX, hash_token


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


@cache
def _token_sql() -> str:
    """One statement for a token and its user (columns in `concrete_fields` order), built once per process."""
    user_model = get_user_model()

    def quote(name: str | None) -> str:
        return connection.ops.quote_name(str(name))

    token_cols = ", ".join(f"t.{quote(f.column)}" for f in ApiToken._meta.concrete_fields)
    user_cols = ", ".join(f"u.{quote(f.column)}" for f in user_model._meta.concrete_fields)
    return (
        f"SELECT {token_cols}, {user_cols} FROM {quote(ApiToken._meta.db_table)} t "  # noqa: S608 - names from _meta
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.user_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active LIMIT 1"
    )


def token_for_key(*, key: str) -> ApiToken | None:
    """The active token whose secret is `key`, with its user, or None."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    if connection.vendor != "postgresql":
        return (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
    # Every API request runs this: compiling the ORM query and building it cost ~4x the SQL (see
    # docs/performance.md). Postgres hands back Python values the models take as they are.
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [hash_token(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    token_fields = [f.attname for f in ApiToken._meta.concrete_fields]
    user_model = get_user_model()
    token = ApiToken.from_db(connection.alias, token_fields, row[: len(token_fields)])
    token.user = user_model.from_db(
        connection.alias, [f.attname for f in user_model._meta.concrete_fields], row[len(token_fields) :]
    )
    return token


def setup_needed() -> bool:
    """True while the database has no user at all: the first page then offers to create the first account."""
    return not get_user_model().objects.exists()
