"""Settings page: API tokens shown once, listed, revoked."""

from django.contrib.auth import get_user_model

from fbrain.accounts.models import ApiToken


def test_settings_needs_sign_in(client, db):
    assert client.get("/settings/").status_code == 302


def test_create_token_shows_the_secret_once(signed_in, member):
    response = signed_in.post("/settings/", {"name": "laptop"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=member)
    assert response.status_code == 201
    assert "shown <strong>only once</strong>" in html
    assert 'id="new-token-value">fb_' in html
    assert token.prefix in html
    assert "shown <strong>only once</strong>" not in signed_in.get("/settings/").content.decode()


def test_blank_name_is_a_field_error(signed_in, member):
    response = signed_in.post("/settings/", {"name": "   "})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_service_errors_land_on_the_field(signed_in, member, monkeypatch):
    from fbrain.accounts import services
    from fbrain.core.errors import ValidationFailed

    def refuse(**_):
        raise ValidationFailed("bad", fields={"name": ["Not this one."]})

    monkeypatch.setattr(services, "token_create", refuse)
    html = signed_in.post("/settings/", {"name": "x"}).content.decode()
    assert "Not this one." in html


def test_service_errors_without_field_go_above_the_form(signed_in, member, monkeypatch):
    from fbrain.accounts import services
    from fbrain.core.errors import ValidationFailed

    def refuse(**_):
        raise ValidationFailed("Too many tokens.")

    monkeypatch.setattr(services, "token_create", refuse)
    html = signed_in.post("/settings/", {"name": "x"}).content.decode()
    assert "Too many tokens." in html


def test_revoke_token(signed_in, member):
    signed_in.post("/settings/", {"name": "phone"})
    token = ApiToken.objects.get(user=member)
    response = signed_in.post(f"/settings/tokens/{token.id}/revoke", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in response.content.decode()


def test_cannot_revoke_someone_elses_token(signed_in):
    from fbrain.accounts import services

    someone = get_user_model().objects.create_user("bob", password="x-long-enough-1")
    other, _ = services.token_create(user=someone, name="theirs")
    response = signed_in.post(f"/settings/tokens/{other.id}/revoke", follow=True)
    other.refresh_from_db()
    assert other.revoked_at is None
    assert "No such token" in response.content.decode()
