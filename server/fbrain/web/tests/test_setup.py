"""First-run setup: an empty installation offers to create its administrator account, once."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from fbrain.accounts import services
from fbrain.core.errors import NotFound, ValidationFailed

PASSWORD = "a-long-unusual-passphrase"
FORM = {"username": "admin", "email": "", "password": PASSWORD, "password_again": PASSWORD}


def test_an_empty_installation_offers_setup_on_home_and_sign_in(client, db):
    assert 'href="/setup/"' in client.get("/").content.decode()
    assert 'href="/setup/"' in client.get("/accounts/login/").content.decode()
    page = client.get("/setup/")
    assert page.status_code == 200
    assert '<label for="id_username">' in page.content.decode()


def test_setup_creates_a_signed_in_administrator_then_is_gone(client, db):
    response = client.post("/setup/", FORM)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get()
    assert (user.username, user.is_staff, user.is_superuser) == ("admin", True, True)
    assert user.check_password(PASSWORD)
    home = client.get("/").content.decode()
    assert "administrator account is ready" in home and "admin" in home
    client.logout()
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", {**FORM, "username": "second"}).status_code == 404
    for page in ("/", "/accounts/login/"):
        assert "/setup/" not in client.get(page).content.decode()
    assert get_user_model().objects.count() == 1


def test_setup_refuses_a_weak_password_or_mismatch_naming_the_field(client, db):
    weak = client.post("/setup/", {**FORM, "password": "password", "password_again": "password"})
    assert weak.status_code == 400
    assert "too common" in weak.content.decode()
    mismatch = client.post("/setup/", {**FORM, "password_again": "something else entirely"})
    assert mismatch.status_code == 400 and "The two passwords differ." in mismatch.content.decode()
    assert not get_user_model().objects.exists()


def test_user_create_first_refuses_once_a_user_exists(db):
    services.user_create_first(username="first", password=PASSWORD)
    with pytest.raises(NotFound):
        services.user_create_first(username="second", password=PASSWORD)
    with pytest.raises(ValidationFailed) as refused:
        get_user_model().objects.all().delete()
        services.user_create_first(username="bad name!", password=PASSWORD)
    assert "username" in refused.value.fields


@pytest.mark.django_db(transaction=True)
def test_concurrent_setups_create_one_administrator():
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def attempt(number: int) -> None:
        start.wait()
        try:
            services.user_create_first(username=f"admin{number}", password=PASSWORD)
            outcomes.append("created")
        except NotFound:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
