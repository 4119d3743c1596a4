"""API tokens end to end: create (shown once), authenticate, list, rename, revoke; sign-in and sign-up."""

import uuid

import pytest
from django.test import override_settings

from fbrain.accounts.models import ApiToken
from fbrain.accounts.tests.factories import make_token
from fbrain.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh_name(prefix: str) -> str:
    # Throttle counters live in Redis across runs: every test uses names nobody used before.
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_created_token_is_shown_once_and_stored_hashed(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/tokens/", {"name": "laptop"}, format="json")
    assert response.status_code == 201
    body = response.json()
    key = body["token"]
    assert key.startswith("fb_") and len(key) > 40
    row = ApiToken.objects.get(pk=body["id"])
    assert key not in {row.key_hash, row.prefix}
    assert row.prefix == key[:10]
    listed = api_client.get("/api/v1/tokens/").json()["results"]
    assert listed[0]["name"] == "laptop"
    assert "token" not in listed[0]
    assert "token" not in api_client.get(f"/api/v1/tokens/{row.pk}/").json()


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_token_authenticates_with_token_and_bearer(api_client, user, scheme):
    _, key = make_token(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    response = api_client.get("/api/v1/tokens/")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_revoked_token_stops_working_mid_session(api_client, user):
    token, key = make_token(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/tokens/").status_code == 200
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    response = api_client.get("/api/v1/tokens/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token fb_not-a-real-token", "Bearer " + "x" * 300, "Token \xe9t\xe9"],
)
def test_bad_authorization_headers_answer_401(api_client, header):
    response = api_client.get("/api/v1/tokens/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_anonymous_requests_answer_401(api_client):
    assert api_client.get("/api/v1/tokens/").status_code == 401
    assert api_client.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 401


def test_other_users_tokens_answer_404(api_client, user):
    stranger_token, _ = make_token(UserFactory())
    api_client.force_authenticate(user)
    assert api_client.get(f"/api/v1/tokens/{stranger_token.pk}/").status_code == 404
    assert api_client.patch(f"/api/v1/tokens/{stranger_token.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api_client.delete(f"/api/v1/tokens/{stranger_token.pk}/").status_code == 404
    assert api_client.get("/api/v1/tokens/").json()["results"] == []
    stranger_token.refresh_from_db()
    assert stranger_token.revoked_at is None


def test_rename_and_validation_errors(api_client, user):
    token, _ = make_token(user, "old")
    api_client.force_authenticate(user)
    response = api_client.patch(f"/api/v1/tokens/{token.pk}/", {"name": "new"}, format="json")
    assert response.json()["name"] == "new"
    bad = api_client.post("/api/v1/tokens/", {"name": ""}, format="json")
    assert bad.status_code == 400
    assert "name" in bad.json()["error"]["fields"]
    long = api_client.post("/api/v1/tokens/", {"name": "x" * 101}, format="json")
    assert long.status_code == 400
    assert ApiToken.objects.filter(user=user).count() == 1


def test_revoking_twice_is_harmless(api_client, user):
    token, _ = make_token(user)
    api_client.force_authenticate(user)
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert api_client.get(f"/api/v1/tokens/{token.pk}/").json()["is_active"] is False


def test_sign_in_exchanges_a_password_for_a_token(api_client):
    user = UserFactory(username=_fresh_name("alice"))
    response = api_client.post(
        "/api/v1/auth/token", {"username": user.username, "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 201
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api_client.get("/api/v1/tokens/").status_code == 200


def test_sign_in_with_a_wrong_password_is_refused(api_client):
    user = UserFactory(username=_fresh_name("bob"))
    response = api_client.post("/api/v1/auth/token", {"username": user.username, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_sign_in_is_rate_limited_per_account(api_client, settings):
    settings.FBRAIN_THROTTLE_RATES = {**settings.FBRAIN_THROTTLE_RATES, "login_account": "3/min", "login_ip": "100/min"}
    username = _fresh_name("carol")
    codes = [
        api_client.post(
            "/api/v1/auth/token", {"username": username, "password": "x"}, format="json", REMOTE_ADDR=f"10.9.0.{n}"
        ).status_code
        for n in range(5)
    ]
    assert codes[:3] == [400, 400, 400]
    assert codes[3:] == [429, 429]


def test_sign_in_is_rate_limited_per_address(api_client, settings):
    settings.FBRAIN_THROTTLE_RATES = {**settings.FBRAIN_THROTTLE_RATES, "login_ip": "2/min"}
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    codes = [
        api_client.post(
            "/api/v1/auth/token", {"username": _fresh_name("dan"), "password": "x"}, format="json", REMOTE_ADDR=address
        ).status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]
    assert "Retry-After" in api_client.post(
        "/api/v1/auth/token", {"username": "x", "password": "x"}, format="json", REMOTE_ADDR=address
    )


def test_sign_up_is_off_by_default(api_client):
    response = api_client.post(
        "/api/v1/auth/signup", {"username": "eve", "password": "a-long-passphrase!"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "signup_disabled"


@override_settings(SIGNUP_ENABLED=True)
def test_sign_up_when_enabled_validates_the_password(api_client):
    username = _fresh_name("frank")
    weak = api_client.post("/api/v1/auth/signup", {"username": username, "password": "123"}, format="json")
    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["fields"]
    ok = api_client.post("/api/v1/auth/signup", {"username": username, "password": "a-long-passphrase!"}, format="json")
    assert ok.status_code == 201
    assert ok.json()["username"] == username
    again = api_client.post(
        "/api/v1/auth/signup", {"username": username, "password": "a-long-passphrase!"}, format="json"
    )
    assert again.status_code == 400
    assert "username" in again.json()["error"]["fields"]
