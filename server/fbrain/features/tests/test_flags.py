"""The `graph_view` flag: on by default, switchable per user, group or percentage, off answers 404."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management.sql import emit_post_migrate_signal
from rest_framework.test import APIClient
from waffle.models import Flag
from waffle.testutils import override_flag

from fbrain.core.tests.factories import UserFactory
from fbrain.features import flags, services
from fbrain.features.flags import GRAPH_VIEW

GRAPH_URLS = ("/graph/", "/graph/data")
API_URL = "/api/v1/graph/"


@pytest.fixture(autouse=True)
def _fresh_flag_cache(db):
    """Waffle flushes its cache on commit, which never comes inside a test transaction: flush by hand."""
    Flag(name=GRAPH_VIEW).flush()
    yield
    Flag(name=GRAPH_VIEW).flush()


def _narrow(**changes):
    """Turn off 'Authenticated' (the default audience) and apply the admin's other choices."""
    flag = Flag.objects.get(name=GRAPH_VIEW)
    flag.authenticated = False
    for field, value in changes.items():
        setattr(flag, field, value)
    flag.save()
    flag.flush()
    return flag


def _browser(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _sees_graph(user) -> bool:
    browser = _browser(user)
    statuses = {browser.get(url).status_code for url in GRAPH_URLS} | {_api(user).get(API_URL).status_code}
    assert len(statuses) == 1, statuses
    return statuses == {200}


def test_graph_view_flag_is_created_on_for_signed_in_users():
    flag = Flag.objects.get(name=GRAPH_VIEW)
    assert (flag.everyone, flag.authenticated, flag.percent) == (None, True, None)
    user = UserFactory()
    assert _sees_graph(user)
    assert 'href="/graph/"' in _browser(user).get("/").content.decode()


def test_graph_off_for_everyone_answers_404_and_hides_the_link():
    user = UserFactory()
    with override_flag(GRAPH_VIEW, active=False):
        browser = _browser(user)
        page = browser.get("/graph/")
        assert page.status_code == 404
        assert "text/html" in page["Content-Type"]
        assert 'href="/graph/"' not in browser.get("/").content.decode()
        answer = _api(user).get(API_URL)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    assert _sees_graph(user)


def test_signed_out_visitors_are_sent_to_sign_in_first():
    with override_flag(GRAPH_VIEW, active=False):
        assert APIClient().get(API_URL).status_code in (401, 403)
        assert APIClient().get("/graph/").status_code == 302


def test_graph_on_for_chosen_users_only():
    chosen, other = UserFactory(), UserFactory()
    flag = _narrow()
    flag.users.add(chosen)
    assert _sees_graph(chosen)
    assert not _sees_graph(other)


def test_graph_on_for_a_group():
    testers = Group.objects.create(name="graph testers")
    member, other = User.objects.create_user("in-group"), UserFactory()
    member.groups.add(testers)
    flag = _narrow()
    flag.groups.add(testers)
    assert _sees_graph(member)
    assert not _sees_graph(other)


def test_graph_on_for_staff_only():
    _narrow(staff=True)
    assert _sees_graph(UserFactory(is_staff=True))
    assert not _sees_graph(UserFactory())


@pytest.mark.parametrize("url", ["/graph/", API_URL])
def test_percentage_rollout_rolls_once_and_remembers_it_in_a_cookie(url, monkeypatch):
    _narrow(percent=30)
    user = UserFactory()
    client = _browser(user)  # session sign-in works for the API too
    monkeypatch.setattr("waffle.models.random.uniform", lambda low, high: 20.0)
    first = client.get(url)
    assert first.status_code == 200
    assert first.cookies["dwf_graph_view"].value == "True"
    monkeypatch.setattr("waffle.models.random.uniform", lambda low, high: 90.0)
    assert client.get(url).status_code == 200  # the cookie, not a new roll, decides
    client.cookies["dwf_graph_view"] = "False"
    assert client.get(url).status_code == 404


def test_percentage_rollout_out_of_the_sample_answers_404(monkeypatch):
    _narrow(percent=30)
    monkeypatch.setattr("waffle.models.random.uniform", lambda low, high: 90.0)
    answer = _browser(UserFactory()).get("/graph/")
    assert answer.status_code == 404
    assert answer.cookies["dwf_graph_view"].value == "False"


def test_percentage_rollout_at_zero_shows_nobody(monkeypatch):
    monkeypatch.setattr("waffle.models.random.uniform", lambda low, high: 0.0)
    _narrow(percent=0)
    assert not _sees_graph(UserFactory())


def test_a_flag_missing_from_the_database_is_off(rf):
    request = rf.get("/")
    request.user = UserFactory()
    assert flags.feature_active(request, "no_such_flag") is False
    assert Flag.objects.filter(name="no_such_flag").exists() is False


def test_schema_names_the_flag_in_the_graph_404(staff_client):
    schema = staff_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    described = schema["paths"][API_URL]["get"]["responses"]["404"]["description"]
    assert "graph_view" in described


def test_a_deleted_flag_comes_back_with_its_default_after_migrate_or_flush():
    Flag.objects.filter(name=GRAPH_VIEW).delete()
    emit_post_migrate_signal(0, False, "default")
    flag = Flag.objects.get(name=GRAPH_VIEW)
    assert (flag.everyone, flag.authenticated) == (None, True)


def test_flag_defaults_ensure_keeps_what_the_admin_chose():
    _narrow(percent=5)
    assert services.flag_defaults_ensure() == []
    flag = Flag.objects.get(name=GRAPH_VIEW)
    assert (flag.authenticated, flag.percent) == (False, 5)


def test_admin_lists_and_edits_the_flag(admin_client):
    from django.conf import settings

    flag = Flag.objects.get(name=GRAPH_VIEW)
    listing = admin_client.get(f"/{settings.ADMIN_URL}waffle/flag/")
    assert listing.status_code == 200
    assert GRAPH_VIEW in listing.content.decode()
    assert admin_client.get(f"/{settings.ADMIN_URL}waffle/flag/{flag.pk}/change/").status_code == 200
