"""Oversized request bodies: one 413 in the one error shape, naming the limit that applies, on every endpoint."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from fbrain.core.errors import describe_size
from fbrain.notes import services as notes

MIB = 1024 * 1024
NOTE_SIZED = "DATA_UPLOAD_MAX_MEMORY_SIZE"


def _writes() -> list[tuple[str, str]]:
    """Every POST/PUT/PATCH of the schema except the multipart import (its archive limit is its own)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {"application/json": {}})
            if method in ("post", "put", "patch") and "application/json" in content:
                found.add((method.upper(), path))
    return sorted(found)


WRITES = _writes()


def _send(client: Any, method: str, url: str, payload: Any) -> Any:
    return client.generic(method, url, json.dumps(payload), content_type="application/json")


@pytest.fixture
def signed_in(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_every_json_write_of_the_schema_is_covered():
    operations = {f"{method} {path}" for method, path in WRITES}

    assert {"POST /api/v1/auth/token", "POST /api/v1/tokens/", "POST /api/v1/bookmarks", "POST /api/v1/notes/"} <= (
        operations
    )
    assert "POST /api/v1/tags/merge/" in operations
    assert "PATCH /api/v1/notes/{note_id}/" in operations
    assert not any("imports" in operation for operation in operations)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_3_mib_json_body_is_a_413_naming_the_limit_that_applies(signed_in, user, method, path):
    note = notes.note_create(owner=user, title="Target")
    url = re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()) if m[0] == "{job_id}" else str(note.pk), path)
    view_class = resolve(url).func.cls  # type: ignore[attr-defined]

    if getattr(view_class, "max_body_setting", None) == NOTE_SIZED:
        # A 1 MiB note body can take up to 6 MiB as JSON: these bodies are read, and the field is what is too long.
        field = "note" if "bookmarks" in path else "body"
        payload = {field: "x" * (3 * MIB)} | ({"url": "https://example.org/"} if field == "note" else {"title": "New"})
        response = _send(signed_in, method, url, payload)
        assert response.status_code == 413, response.content
        assert response.json()["error"]["code"] == "too_large"
        assert list(response.json()["error"]["fields"]) == [field]
        assert "1 MiB" in response.json()["error"]["message"]
    else:
        response = _send(signed_in, method, url, {"name": "x" * (3 * MIB)})
        assert response.status_code == 413, response.content
        assert response.json() == {
            "error": {
                "code": "too_large",
                "message": "The request body is larger than 64 KiB, the limit for this request.",
                "fields": {},
            }
        }


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/tokens/", "/api/v1/bookmarks", "/api/v1/notes/"])
def test_an_anonymous_oversized_body_is_refused_before_anything_reads_it(api_client, db, path):
    response = _send(api_client, "POST", path, {"name": "x" * (9 * MIB)})

    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("The request body is larger than ")
    assert response.json()["error"]["fields"] == {}


def test_a_body_within_the_limit_reaches_the_view_and_names_the_field(signed_in):
    response = _send(signed_in, "POST", "/api/v1/tokens/", {"name": "x" * (60 * 1024)})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name"]


def test_note_writes_are_bounded_by_the_request_limit_beyond_the_note_limit(signed_in):
    response = _send(signed_in, "POST", "/api/v1/notes/", {"title": "Big", "body": "x" * (9 * MIB)})

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "The request body is larger than 8 MiB, the limit for this request.",
        "fields": {},
    }


def test_a_1_mib_note_body_fits_however_its_client_escapes_it(signed_in):
    body = "\U0001f600" * (MIB // 4)  # 1 MiB of UTF-8; as ASCII-only JSON, 12 bytes per character: 3 MiB
    response = signed_in.generic(
        "POST", "/api/v1/notes/", json.dumps({"title": "Emoji", "body": body}), content_type="application/json"
    )

    assert response.status_code == 201, response.content[:300]


def test_django_s_own_limit_answers_the_same_413(signed_in, settings):
    settings.API_BODY_MAX_BYTES = 64 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024

    response = _send(signed_in, "POST", "/api/v1/tokens/", {"name": "x" * 4096})

    assert response.status_code == 413
    assert response.json()["error"]["message"] == "The request body is larger than 2 KiB, the limit for this request."


def test_an_oversized_page_form_is_a_413_page(client, user):
    client.force_login(user)

    response = client.post("/notes/new/", {"title": "Big", "body": "x" * (9 * MIB)})

    assert response.status_code == 413
    assert "larger than 8 MiB" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("size", "text"), [(64 * 1024, "64 KiB"), (8 * MIB, "8 MiB"), (int(2.5 * MIB), "2.5 MiB"), (900, "900 bytes")]
)
def test_describe_size_reads_like_the_docs(size, text):
    assert describe_size(size) == text
