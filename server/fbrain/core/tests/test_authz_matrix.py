"""The authorisation matrix, generated from the live OpenAPI schema so a new endpoint is covered at once.

For every operation: an anonymous caller gets 401/403 (unless the operation is public by design); another
user gets 404 for every object of the owner (note, revision, tag, token, bookmark, job, attachment), while
the owner reads the same URL fine; and the owner's data never shows up in the other user's lists, search,
graph, backlinks, trash, jobs or export archive. The browser pages get the same treatment, generated from the
URLconf: every page or action with an object id answers 404 (or an action redirects back) to another user,
names nothing of the owner's and changes nothing.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from fbrain.accounts.services import token_create
from fbrain.bookmarks.services import bookmark_create
from fbrain.core.tests.factories import UserFactory
from fbrain.notes.models import Revision, Tag
from fbrain.notes.services import note_create, note_delete, note_update
from fbrain.transfer.models import Attachment, Job
from fbrain.transfer.services import export_create

# Operations anyone may call (signing in, signing up when enabled). Everything else needs an account.
PUBLIC = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/signup")}
# Staff-only operations: a normal user gets 403, not 404 (there is no object to hide).
STAFF_ONLY = {("GET", "/api/v1/status")}
SAMPLES = {"string": "intruder", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}


def _sample_body(operation: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """A body with every writable field of the operation's JSON schema, so a 404 cannot hide behind a 400."""
    content: dict[str, Any] = (operation.get("requestBody") or {}).get("content", {})
    media: dict[str, Any] = content.get("application/json") or next(iter(content.values()), None) or {}
    schema: dict[str, Any] = media.get("schema", {})
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    properties = schema.get("properties", {})
    body: dict[str, Any] = {}
    for name, prop in properties.items():
        if prop.get("readOnly"):
            continue
        if "enum" in prop:
            body[name] = prop["enum"][0]
        else:
            body[name] = SAMPLES.get(prop.get("type", "string"), "intruder")
    return body


def _operations() -> list[tuple[str, str, list[str], dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((method.upper(), path, params, _sample_body(operation, components)))
    return sorted(found, key=lambda op: (op[1], op[0]))


OPERATIONS = _operations()
OWNED = [op for op in OPERATIONS if op[2]]
COLLECTION_GETS = [op for op in OPERATIONS if not op[2] and op[0] == "GET" and (op[0], op[1]) not in STAFF_ONLY]


@dataclass
class Vault:
    owner: Any
    intruder: Any
    owner_client: APIClient
    intruder_client: APIClient
    marker: str
    ids: dict[str, Any]

    def url(self, path: str) -> str:
        values = dict(self.ids)
        if path.startswith("/api/v1/trash/"):
            values["note_id"] = self.ids["trashed_note_id"]
        missing = [name for name in re.findall(r"{(\w+)}", path) if name not in values]
        assert not missing, f"{path}: no object for {missing}; add one to the vault fixture of this test"
        return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


def _client(user: Any) -> APIClient:
    client = APIClient()
    _, key = token_create(user=user, name="matrix")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def vault(db, settings, tmp_path, django_capture_on_commit_callbacks) -> Vault:
    settings.MEDIA_ROOT = tmp_path / "media"
    owner: Any = UserFactory()
    intruder: Any = UserFactory()
    marker = f"secret{uuid.uuid4().hex[:12]}"
    note_create(owner=owner, title=f"{marker} target", body=f"private {marker} #{marker}tag")
    source = note_create(owner=owner, title=f"{marker} source", body=f"links to [[{marker} target]] and {marker}")
    note_update(note=source, body=f"edited: links to [[{marker} target]] and {marker} #{marker}tag")
    trashed = note_create(owner=owner, title=f"{marker} trashed", body=marker)
    note_delete(note=trashed)
    token, _ = token_create(user=owner, name=f"{marker} token")
    bookmark = bookmark_create(owner=owner, url=f"https://example.invalid/{marker}", note=marker)
    attachment = Attachment(owner=owner, name=f"{marker}.png", size=4, content_type="image/png")
    attachment.file.save(f"{marker}.png", ContentFile(b"\x89PNG"), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_create(owner=owner)
    ids = {
        "note_id": source.pk,
        "trashed_note_id": trashed.pk,
        "revision_id": Revision.objects.filter(note=source).values_list("pk", flat=True).first(),
        "tag_id": Tag.objects.filter(owner=owner).values_list("pk", flat=True).first(),
        "token_id": token.pk,
        "bookmark_id": bookmark.bookmark.pk,
        "attachment_id": attachment.pk,
        "name": attachment.name,
        "job_id": export.pk,
    }
    assert all(value is not None for value in ids.values()), ids
    # The intruder has data of its own: lists are not trivially empty.
    note_create(owner=intruder, title="Intruder note", body="mine [[Intruder other]] #mine")
    return Vault(owner, intruder, _client(owner), _client(intruder), marker, ids)


def test_the_schema_lists_the_api_of_every_domain():
    paths = {op[1] for op in OPERATIONS}
    for expected in ("/api/v1/tokens/", "/api/v1/notes/", "/api/v1/search/", "/api/v1/bookmarks", "/api/v1/jobs"):
        assert expected in paths


@pytest.mark.parametrize(
    ("method", "path", "params", "body"), OPERATIONS, ids=[f"{op[0]} {op[1]}" for op in OPERATIONS]
)
def test_anonymous_callers_are_refused(vault, method, path, params, body):
    if (method, path) in PUBLIC:
        pytest.skip("public by design")

    response = APIClient().generic(method, vault.url(path), data="{}", content_type="application/json")

    assert response.status_code in (401, 403), response.content[:300]
    assert vault.marker not in response.content.decode(errors="replace")


@pytest.mark.parametrize(("method", "path", "params", "body"), OWNED, ids=[f"{op[0]} {op[1]}" for op in OWNED])
def test_another_users_objects_answer_404(vault, method, path, params, body):
    url = vault.url(path)

    response = vault.intruder_client.generic(method, url, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 404, f"{method} {url}: {response.status_code} {response.content[:300]!r}"
    assert vault.marker not in response.content.decode(errors="replace")
    if method == "GET":
        # The same URL works for its owner: the 404 above is isolation, not a wrong id.
        assert vault.owner_client.get(url).status_code == 200, f"owner cannot GET {url}"


@pytest.mark.parametrize(("method", "path", "params", "body"), COLLECTION_GETS, ids=[op[1] for op in COLLECTION_GETS])
def test_nothing_of_the_owner_leaks_into_another_users_lists(vault, method, path, params, body):
    for query in ("", f"?q={vault.marker}", f"?q={vault.marker}&include_pending=true", f"?tag={vault.marker}tag"):
        response = vault.intruder_client.get(f"{path}{query}")

        assert response.status_code in (200, 400), f"{path}{query}: {response.status_code}"
        assert vault.marker not in response.content.decode(errors="replace"), f"{path}{query} leaks"
    owner_view = vault.owner_client.get(f"{path}?q={vault.marker}")
    assert owner_view.status_code in (200, 400)


def test_owner_sees_their_data_in_search_so_the_leak_test_is_meaningful(vault):
    response = vault.owner_client.get(f"/api/v1/search/?q={vault.marker}")

    assert response.status_code == 200
    assert vault.marker in response.content.decode()


def test_another_users_export_archive_holds_none_of_the_owners_notes(vault, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_create(owner=vault.intruder)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.failure_reason

    download = vault.intruder_client.get(f"/api/v1/jobs/{job.pk}/download")

    assert download.status_code == 200
    content = b"".join(download.streaming_content) if download.streaming else download.content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        text = "".join(archive.read(name).decode(errors="replace") for name in names)
    assert any("Intruder note" in name for name in names)
    assert vault.marker not in text
    assert all(vault.marker not in name for name in names)
    assert vault.owner_client.get(f"/api/v1/jobs/{job.pk}/download").status_code == 404


# ------------------------------------------------------------------------------------------ browser pages
def _site_routes() -> list[str]:
    """Every URL pattern of the site outside /api/, /admin/ and static, as a template like `notes/{note_id}/`."""
    from django.urls import URLPattern, URLResolver, get_resolver

    routes: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern).lstrip("^").rstrip("$")
            text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + text)

    walk(get_resolver().url_patterns, "")
    # Password-reset links carry a signed token, not an object id: they are for signed-out users by design.
    skipped = ("api/", "admin", "static", "media", "accounts/reset/")
    return sorted({r for r in routes if "{" in r and not r.startswith(skipped)})


def _owner_state(owner: Any) -> list[Any]:
    """Everything an intruder's request could change on the owner's side."""
    from fbrain.accounts.models import ApiToken
    from fbrain.bookmarks.models import Bookmark
    from fbrain.notes.models import Note

    return [
        list(
            Note.objects.filter(owner=owner)
            .order_by("pk")
            .values_list("pk", "title", "body", "deleted_at", "pinned", "archived", "version")
        ),
        list(Tag.objects.filter(owner=owner).order_by("pk").values_list("pk", "name")),
        list(ApiToken.objects.filter(user=owner).order_by("pk").values_list("pk", "name", "revoked_at")),
        list(Bookmark.objects.filter(owner=owner).order_by("pk").values_list("pk", "status")),
        list(Job.objects.filter(owner=owner).order_by("pk").values_list("pk", "status", "cancel_requested")),
    ]


SITE_ROUTES = _site_routes()


def test_the_site_has_pages_with_object_ids():
    assert any(route.startswith("notes/") for route in SITE_ROUTES), SITE_ROUTES


@pytest.mark.parametrize("route", SITE_ROUTES)
def test_another_users_objects_are_404_on_every_page(vault, client, route):
    values = {**vault.ids, "field": "pinned"}
    if route.startswith("trash/"):
        values["note_id"] = vault.ids["trashed_note_id"]
    missing = [name for name in re.findall(r"{(\w+)}", route) if name not in values]
    assert not missing, f"{route}: no object for {missing}; add one to the vault fixture of this test"
    url = "/" + re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), route)
    client.force_login(vault.intruder)
    before = _owner_state(vault.owner)

    get, post = client.get(url), client.post(url)

    # A page answers 404; an action may instead redirect back with an error message ("No such token"),
    # as long as it changed nothing of the owner's and names nothing of theirs.
    assert get.status_code in (404, 405), f"GET {url}: {get.status_code}"
    assert post.status_code in (404, 405, 302), f"POST {url}: {post.status_code}"
    for response in (get, post):
        assert vault.marker not in response.content.decode(errors="replace"), f"{url} leaks"
        assert vault.marker not in response.get("Location", ""), f"{url} leaks in its redirect"
    assert _owner_state(vault.owner) == before, f"POST {url} changed the owner's data"
