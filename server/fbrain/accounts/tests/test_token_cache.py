"""Cached token lookups hand out private objects and stay in step with the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fbrain.accounts import services, token_cache
from fbrain.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.needs_redis  # the token cache is checked against generations kept in Redis
def test_each_use_gets_its_own_objects_from_memory():
    user = UserFactory.create(first_name="Ada")
    _, key = services.token_create(user=user, name="t")
    token_cache.use_token(key=key)  # starts the generation
    first = token_cache.use_token(key=key)
    with CaptureQueriesContext(connection) as captured:
        second = token_cache.use_token(key=key)
        assert second is not None and second.user.first_name == "Ada"
    assert len(captured) == 0
    assert first is not None and first is not second and first.user is not second.user
    first.user.first_name = "Changed by a view"
    third = token_cache.use_token(key=key)
    assert third is not None and third.user.first_name == "Ada" and third.user.pk == user.pk


def test_unknown_and_malformed_keys_are_refused():
    assert token_cache.use_token(key="fb_" + "x" * 40) is None
    assert token_cache.use_token(key="not-a-token") is None


def test_last_use_is_written_once_per_interval_not_per_request():
    user = UserFactory.create()
    token, key = services.token_create(user=user, name="t")
    token_cache.use_token(key=key)
    token.refresh_from_db()
    stamped = token.last_used_at
    assert stamped is not None
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            token_cache.use_token(key=key)
    assert [q for q in captured if "UPDATE" in q["sql"]] == []
