"""Deeply nested JSON bodies: a 400 naming the body on every endpoint that reads JSON, never a 500."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from fbrain.accounts import services as account_services
from fbrain.core.parsers import MAX_JSON_DEPTH, json_depth
from fbrain.notes import services
from fbrain.notes.models import Revision

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"title": "[[[[ not nesting ]]]]", "body": "\\"[{[{"}', 1),
        ("42", 0),
        ("[" * 40 + "]" * 40, 40),
    ],
)
def test_json_depth_ignores_brackets_inside_strings(text, depth):
    assert json_depth(text.encode()) == depth


def _assert_refused(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert str(MAX_JSON_DEPTH) in error["fields"]["body"][0]


def test_sign_in_refuses_deep_json_without_authentication(db):
    response = APIClient().post("/api/v1/auth/token", DEEP, content_type="application/json")
    _assert_refused(response)


@pytest.fixture
def signed_in(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _targets(user) -> list[tuple[str, str]]:
    note = services.note_create(owner=user, title="Deep", body="one")
    services.note_update(note=note, body="two")
    revision = Revision.objects.get(note=note)
    token, _ = account_services.token_create(user=user, name="script")
    return [
        ("post", "/api/v1/notes/"),
        ("patch", f"/api/v1/notes/{note.pk}/"),
        ("put", f"/api/v1/notes/{note.pk}/"),
        ("post", "/api/v1/bookmarks"),
        ("post", "/api/v1/tags/merge/"),
        ("post", "/api/v1/tokens/"),
        ("patch", f"/api/v1/tokens/{token.pk}/"),
        ("post", f"/api/v1/notes/{note.pk}/revisions/{revision.pk}/restore/"),
    ]


def test_every_json_endpoint_refuses_deep_json(signed_in, user):
    for method, url in _targets(user):
        response = getattr(signed_in, method)(url, DEEP, content_type="application/json")
        _assert_refused(response)


def test_deep_json_inside_an_object_is_refused_too(signed_in):
    body = json.dumps({"title": "x", "body": "y", "tags": json.loads("[" * 40 + "]" * 40)})
    _assert_refused(signed_in.post("/api/v1/notes/", body, content_type="application/json"))


def test_ordinary_bodies_still_parse(signed_in):
    body = json.dumps({"title": "[[Brackets]] in a title", "body": "{[(", "tags": ["a", "b"]})
    response = signed_in.post("/api/v1/notes/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "[[Brackets]] in a title"
