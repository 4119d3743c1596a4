"""One error shape for the API; HTML pages for the browser."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions

from fbrain.core import errors


def _handle(exc):
    return errors.api_exception_handler(exc, {})


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_browser_path_is_an_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


def test_validation_errors_name_each_field():
    response = _handle(exceptions.ValidationError({"title": ["This field is required."], "tags": {"0": ["Bad."]}}))
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["title"] == ["This field is required."]
    assert error["fields"]["tags"] == {"0": ["Bad."]}
    assert "title: This field is required." in error["message"]


def test_django_validation_errors_become_field_errors():
    response = _handle(DjangoValidationError({"title": ["Too long."]}))
    assert response.status_code == 400
    assert response.data["error"]["fields"] == {"title": ["Too long."]}
    plain = _handle(DjangoValidationError("Broken."))
    assert plain.data["error"]["message"] == "non_field_errors: Broken."
    assert plain.data["error"]["fields"] == {}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.NotFound("No such note."), 404, "not_found"),
        (errors.Conflict("Stale version.", fields={"version": ["Stale."]}), 409, "conflict"),
        (errors.PreconditionFailed("ETag mismatch."), 412, "precondition_failed"),
        (errors.PayloadTooLarge("Body too large."), 413, "too_large"),
        (errors.ServiceUnavailable("Database unavailable."), 503, "unavailable"),
        (errors.ValidationFailed("Bad tag.", code="bad_tag"), 400, "bad_tag"),
        (Http404(), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.ParseError(), 400, "parse_error"),
    ],
)
def test_every_error_has_the_same_shape(exc, status, code):
    response = _handle(exc)
    assert response.status_code == status
    assert set(response.data) == {"error"}
    assert set(response.data["error"]) == {"code", "message", "fields"}
    assert response.data["error"]["code"] == code


def test_unexpected_errors_are_left_to_the_500_handler():
    assert _handle(RuntimeError("boom")) is None


def test_500_handler_answers_json_for_api_and_html_for_pages(rf):
    api = errors.handler500(rf.get("/api/v1/notes/"))
    assert api.status_code == 500
    assert b'"server_error"' in api.content
    page = errors.handler500(rf.get("/notes/"))
    assert page.status_code == 500
    assert b"Something went wrong" in page.content


@pytest.mark.parametrize("handler", [errors.handler400, errors.handler403, errors.handler404])
def test_client_error_pages(rf, handler):
    assert handler(rf.get("/api/x")).status_code in {400, 403, 404}
    assert b"<html" in handler(rf.get("/x")).content
