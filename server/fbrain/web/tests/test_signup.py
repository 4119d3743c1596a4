"""Self sign-up page: off by default, field errors, creates and signs in."""

from django.contrib.auth import get_user_model


def test_signup_is_off_by_default(client, member):
    assert client.get("/accounts/signup/").status_code == 404
    assert "admin pages" in client.get("/accounts/login/").content.decode()


def test_signup_when_enabled(client, member, settings):
    settings.SIGNUP_ENABLED = True
    assert "Create an account" in client.get("/accounts/login/").content.decode()
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "email": "", "password": "a-long-pass-phrase", "password_again": "a-long-pass-phrase"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()
    assert client.get("/accounts/signup/").status_code == 302


def test_signup_errors_keep_the_input(client, db, settings):
    settings.SIGNUP_ENABLED = True
    get_user_model().objects.create_user("taken", password="whatever-long-1")
    response = client.post(
        "/accounts/signup/",
        {"username": "taken", "email": "x@example.test", "password": "short", "password_again": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="taken"' in html and 'value="x@example.test"' in html
    assert 'id="id_password_again_error"' in html
    response = client.post(
        "/accounts/signup/", {"username": "taken", "password": "password", "password_again": "password"}
    )
    html = response.content.decode()
    assert 'id="id_username_error"' in html
    assert 'id="id_password_error"' in html
