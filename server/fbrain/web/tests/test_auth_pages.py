"""Sign in, sign out, change password, error pages."""

import pytest
from django.test import Client


def test_sign_in_page_has_labels_and_an_account_hint(client, member):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert "accounts are added in the admin pages" in html
    assert 'href="#main"' in html


def test_wrong_password_keeps_the_username_and_says_why(client, member):
    response = client.post("/accounts/login/", {"username": "ada", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="ada"' in html
    assert 'role="alert"' in html
    assert "correct username and password" in html


def test_empty_fields_show_errors_next_to_them(client, db):
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert 'id="id_username_error"' in html
    assert 'id="id_password_error"' in html
    assert 'aria-invalid="true"' in html


def test_sign_in_returns_to_the_page_asked_for(client, member):
    response = client.get("/accounts/login/?next=/settings/")
    assert "taken back" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "ada", "password": "correct-horse-battery", "next": "/settings/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/"


def test_sign_out_is_a_post_and_lands_home(signed_in):
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in.get("/settings/").status_code == 302


def test_change_password_keeps_nothing_secret_but_shows_field_errors(signed_in):
    response = signed_in.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in html
    assert 'id="id_new_password2_error"' in html


def test_change_password_succeeds(signed_in, member):
    response = signed_in.post(
        "/accounts/password_change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-much-longer-pass-phrase",
            "new_password2": "a-much-longer-pass-phrase",
        },
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password("a-much-longer-pass-phrase")


def test_not_found_page_is_friendly(client, db):
    response = client.get("/nothing/here")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "Go to the home page" in html


def test_csrf_failure_page_explains_what_to_do(member):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "ada", "password": "x"})
    assert response.status_code == 403
    assert "This form expired" in response.content.decode()


@pytest.mark.parametrize("code", [400, 403, 500])
def test_error_templates_render(rf, code, db):
    from django.contrib.auth.models import AnonymousUser

    from fbrain.core import errors

    request = rf.get("/x")
    request.user = AnonymousUser()
    if code == 500:
        response = errors.handler500(request)
    else:
        response = {400: errors.handler400, 403: errors.handler403}[code](request, None)
    assert response.status_code == code
    assert b"Go to the home page" in response.content
