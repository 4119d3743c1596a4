"""Sign-in pages (site and admin) share the API's limits: 429 with a readable error, lifted by time, counted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from prometheus_client import REGISTRY
from rest_framework.throttling import SimpleRateThrottle

from fbrain.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _fresh(prefix: str) -> str:
    # Throttle counters live in Redis across runs: every test uses names and addresses nobody used before.
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _fresh_address() -> str:
    number = uuid.uuid4().int
    return f"10.{number % 250}.{number // 250 % 250}.{number // 62500 % 250}"


class Clock:
    """The throttles' clock, moved by the test: the lock-out window passes without sleeping."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import time

    clock = Clock(time.time())
    monkeypatch.setattr(SimpleRateThrottle, "timer", clock)
    return clock


@pytest.fixture
def low_limits(settings):
    settings.FBRAIN_THROTTLE_RATES = {**settings.FBRAIN_THROTTLE_RATES, "login_account": "3/min", "login_ip": "5/min"}


def _refused(path: str, reason: str) -> float:
    return REGISTRY.get_sample_value("fbrain_sign_ins_refused_total", {"path": path, "reason": reason}) or 0.0


def _post(path: str, username: str, password: str, address: str) -> Any:
    return Client().post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_account_until_the_window_passes(path, low_limits, clock):
    username = _fresh("ada")
    user = UserFactory(username=username, is_staff=True)
    before = _refused(path, "account")
    for _ in range(3):
        response = _post(path, username, "wrong", _fresh_address())
        assert response.status_code == 200
    locked = _post(path, username, PASSWORD, _fresh_address())
    html = locked.content.decode()
    assert locked.status_code == 429
    assert "Too many sign-in attempts. Please wait 60 seconds, then try again." in html
    assert locked["Retry-After"] == "60"
    assert "_auth_user_id" not in locked.wsgi_request.session
    assert _refused(path, "account") == before + 1

    clock.now += 61
    accepted = _post(path, username, PASSWORD, _fresh_address())
    assert accepted.status_code == 302
    assert accepted.wsgi_request.session["_auth_user_id"] == str(user.pk)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_one_address_trying_many_accounts_is_refused(path, low_limits, clock):
    address = _fresh_address()
    before = _refused(path, "ip")
    codes = [_post(path, _fresh("eve"), "wrong", address).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert _refused(path, "ip") == before + 1
    clock.now += 61
    assert _post(path, _fresh("eve"), "wrong", address).status_code == 200


def test_api_and_pages_share_one_budget_per_account(low_limits, clock, api_client):
    username = _fresh("bob")
    UserFactory(username=username)
    for _ in range(3):
        api_client.post(
            "/api/v1/auth/token",
            {"username": username, "password": "wrong"},
            format="json",
            REMOTE_ADDR=_fresh_address(),
        )
    assert _post("/accounts/login/", username, PASSWORD, _fresh_address()).status_code == 429
    assert _post("/admin/login/", username, PASSWORD, _fresh_address()).status_code == 429


def test_api_refusals_are_counted_too(low_limits, clock, api_client):
    username = _fresh("carol")
    before = _refused("/api/v1/auth/token", "account")
    codes = [
        api_client.post(
            "/api/v1/auth/token",
            {"username": username, "password": "wrong"},
            format="json",
            REMOTE_ADDR=_fresh_address(),
        ).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    assert _refused("/api/v1/auth/token", "account") == before + 1


def test_the_sign_in_page_still_signs_in_and_shows_wrong_passwords(low_limits):
    username = _fresh("dora")
    UserFactory(username=username)
    wrong = _post("/accounts/login/", username, "wrong", _fresh_address())
    assert wrong.status_code == 200 and "correct username and password" in wrong.content.decode()
    assert _post("/accounts/login/", username, PASSWORD, _fresh_address()).status_code == 302


def _six_attempts_through(remote: str, forwarded_for: Callable[[], str]) -> list[int]:
    """Each attempt forges a new X-Forwarded-For value."""
    return [
        Client()
        .post(
            "/accounts/login/",
            {"username": _fresh("mallory"), "password": "wrong"},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded_for(),
        )
        .status_code
        for _ in range(6)
    ]


def test_a_forged_forwarded_for_header_does_not_give_a_new_address(low_limits, clock):
    assert _six_attempts_through(_fresh_address(), _fresh_address) == [200] * 5 + [429]


def test_behind_a_proxy_the_address_it_saw_is_limited(low_limits, clock, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client_address = _fresh_address()
    codes = _six_attempts_through(_fresh_address(), lambda: f"{_fresh_address()}, {client_address}")
    assert codes == [200] * 5 + [429]
