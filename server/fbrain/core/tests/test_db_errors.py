"""A database outage answers a clean 503 (JSON under /api/, plain HTML elsewhere), never a 500."""

from unittest import mock

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from kombu.exceptions import OperationalError as BrokerError

from fbrain.accounts.services import token_create
from fbrain.core.db_errors import DatabaseUnavailableMiddleware, is_database_unavailable

DB_MIDDLEWARE = "fbrain.core.db_errors.DatabaseUnavailableMiddleware"


def _down(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def _broker_down(request: HttpRequest) -> HttpResponse:
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _bad_query(request: HttpRequest) -> HttpResponse:
    raise DatabaseError("syntax error at or near SELEC")


urlpatterns = [
    path("api/v1/down", _down),
    path("down", _down),
    path("api/v1/publish", _broker_down),
    path("publish", _broker_down),
    path("bad-query", _bad_query),
    path("", include("config.urls")),
]


@pytest.fixture
def outage_client(settings):
    settings.ROOT_URLCONF = __name__
    if DB_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [settings.MIDDLEWARE[0], DB_MIDDLEWARE, *settings.MIDDLEWARE[1:]]
    return Client(raise_request_exception=False)


def test_api_view_failing_on_the_database_answers_json_503(outage_client):
    response = outage_client.get("/api/v1/down")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"


def test_page_failing_on_the_database_answers_html_503(outage_client):
    response = outage_client.get("/down")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content


def test_other_database_errors_stay_500(outage_client):
    response = outage_client.get("/bad-query")

    assert response.status_code == 500


def test_token_authenticated_api_request_during_outage_answers_503(outage_client, user):
    _, key = token_create(user=user, name="outage")
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("server closed")):
        response = outage_client.get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


def test_exception_raised_in_an_inner_middleware_is_mapped_too(settings):
    def inner(request: HttpRequest) -> HttpResponse:
        raise InterfaceError("connection already closed")

    from django.core.handlers.exception import convert_exception_to_response

    settings.ROOT_URLCONF = __name__
    middleware = DatabaseUnavailableMiddleware(convert_exception_to_response(inner))  # type: ignore[arg-type]
    request = HttpRequest()
    request.path = "/api/v1/notes"
    request.method = "GET"
    request.META["SERVER_NAME"] = "testserver"
    request.META["SERVER_PORT"] = "80"

    response = middleware(request)

    assert response.status_code == 503


def test_cause_chain_is_followed():
    try:
        try:
            raise OperationalError("down")
        except OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as outer:
        assert is_database_unavailable(outer)
    assert not is_database_unavailable(ValueError("x"))
    assert not is_database_unavailable(None)


def test_api_view_failing_to_publish_a_task_answers_json_503(outage_client):
    response = outage_client.get("/api/v1/publish")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "queue_unavailable"


def test_page_failing_to_publish_a_task_answers_html_503(outage_client):
    response = outage_client.get("/publish")

    assert response.status_code == 503
    assert b"task queue is unavailable" in response.content


def test_broker_error_raised_in_an_inner_middleware_is_mapped_too(settings):
    def inner(request: HttpRequest) -> HttpResponse:
        raise BrokerError("connection refused")

    from django.core.handlers.exception import convert_exception_to_response

    settings.ROOT_URLCONF = __name__
    middleware = DatabaseUnavailableMiddleware(convert_exception_to_response(inner))  # type: ignore[arg-type]
    request = HttpRequest()
    request.path = "/api/v1/bookmarks"
    request.method = "POST"
    request.META["SERVER_NAME"] = "testserver"
    request.META["SERVER_PORT"] = "80"

    response = middleware(request)

    assert response.status_code == 503
    assert b"queue_unavailable" in response.content
