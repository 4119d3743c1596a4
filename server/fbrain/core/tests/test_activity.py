"""Daily active users: HyperLogLog per UTC day, fed by the middleware, never failing requests."""

from __future__ import annotations

import datetime as dt

import pytest
import redis

from fbrain.core import activity
from fbrain.core.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    activity._seen.clear()
    yield
    activity._seen.clear()


@pytest.fixture
def metrics_redis(redis_server, settings):
    settings.REDIS_URL = redis_server.url
    return redis.Redis.from_url(redis_server.url)


def test_day_key_is_per_utc_day_under_the_configured_prefix(settings):
    settings.CACHE_KEY_PREFIX = "tenant-a"

    assert activity.day_key(dt.date(2026, 1, 2)) == "tenant-a:active_users:2026-01-02"


def test_record_active_user_counts_distinct_users_once(metrics_redis):
    for user_id in (1, 2, 2, 3, 1):
        activity.record_active_user(user_id)

    assert activity.active_users() == 3
    assert 0 < metrics_redis.ttl(activity.day_key()) <= activity.KEY_TTL_SECONDS


def test_repeat_requests_skip_redis(metrics_redis):
    activity.record_active_user(7)
    metrics_redis.delete(activity.day_key())

    activity.record_active_user(7)

    assert activity.active_users() == 0


def test_middleware_counts_authenticated_users_only(db, rf, metrics_redis):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    middleware = activity.ActiveUserMiddleware(lambda request: HttpResponse("ok"))
    anonymous = rf.get("/")
    anonymous.user = AnonymousUser()
    middleware(anonymous)
    assert activity.active_users() == 0

    signed_in = rf.get("/")
    signed_in.user = UserFactory()
    middleware(signed_in)
    middleware(signed_in)

    assert activity.active_users() == 1


def test_middleware_is_installed_after_authentication(settings):
    names = settings.MIDDLEWARE
    assert names.index("fbrain.core.activity.ActiveUserMiddleware") > names.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


def test_redis_down_does_not_fail_the_request(db, rf, settings):
    from django.http import HttpResponse

    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    request = rf.get("/")
    request.user = UserFactory()

    response = activity.ActiveUserMiddleware(lambda request: HttpResponse("ok"))(request)

    assert response.status_code == 200


def test_without_redis_nothing_is_counted(settings):
    settings.REDIS_URL = None
    activity.record_active_user(1)

    assert activity.active_users() == 0
