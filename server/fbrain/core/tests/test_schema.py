"""The OpenAPI schema builds, documents the error shape, says what the server does with input, needs sign-in."""

import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fbrain.bookmarks.normalize import URL_PATTERN, clean_url
from fbrain.core.errors import ValidationFailed
from fbrain.notes import services as notes
from fbrain.notes.models import TITLE_PATTERN
from fbrain.notes.parsing import TAG_INPUT_PATTERN, normalize_tag_name
from fbrain.notes.services.notes import _clean_title


def test_schema_documents_the_error_shape_and_token_auth():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    status = schema["paths"]["/api/v1/status"]["get"]
    assert "200" in status["responses"]


def test_schema_and_docs_need_sign_in(client, db):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/schema/?format=json", HTTP_ACCEPT="application/json").json()["error"]["code"] == (
        "not_authenticated"
    )
    page = client.get("/api/docs/")
    assert page.status_code == 302 and page["Location"] == "/accounts/login/?next=/api/docs/"
    assert client.get("/api/docs/?script=").status_code == 401


def test_schema_is_served_to_a_token(api_client, user):
    from fbrain.accounts.tests.factories import token_client

    token_client(api_client, user)
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200 and "/api/v1/notes/" in response.json()["paths"]


def test_docs_page_is_ours_under_the_site_policy(client, user):
    client.force_login(user)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    html = page.content.decode()
    # Every script and style is a same-origin file: nothing from a CDN, nothing inline.
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode() and "/api/schema/" in script.content.decode()


# --- the schema says what the server does (issue 17, point 7) ---------------------------------------------


SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]


def _request_schema(path: str, method: str, media: str = "application/json") -> dict[str, Any]:
    schema = SCHEMA["paths"][path][method]["requestBody"]["content"][media]["schema"]
    return COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema


REQUEST_BODIES = [
    (path, method, media)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    for media in (operation.get("requestBody") or {}).get("content", {})
]


@pytest.mark.parametrize(("path", "method", "media"), REQUEST_BODIES)
def test_every_request_body_refuses_unknown_properties(path, method, media):
    assert _request_schema(path, method, media)["additionalProperties"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/bookmarks", {"url": "https://example.org/", "titel": "typo"}),
        ("/api/v1/tokens/", {"name": "cli", "titel": "typo"}),
        ("/api/v1/notes/", {"title": "T", "titel": "typo"}),
    ],
)
def test_the_server_refuses_unknown_properties_as_the_schema_says(api_client, user, path, payload):
    api_client.force_authenticate(user)

    response = api_client.post(path, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"titel": ["Unknown field."]}


def test_tag_names_publish_their_grammar():
    assert _request_schema("/api/v1/tags/merge/", "post")["properties"]["target"]["pattern"] == TAG_INPUT_PATTERN
    assert _request_schema("/api/v1/tags/{tag_id}/", "patch")["properties"]["name"]["pattern"] == TAG_INPUT_PATTERN
    assert _request_schema("/api/v1/notes/", "post")["properties"]["tags"]["items"]["pattern"] == TAG_INPUT_PATTERN
    assert _request_schema("/api/v1/bookmarks", "post")["properties"]["tags"]["items"]["pattern"] == TAG_INPUT_PATTERN


def _accepted(check: Any, value: str, refusal: type[Exception]) -> bool:
    try:
        check(value)
    except refusal:
        return False
    return True


@hypothesis_settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZé_-/#0129²٣ \t\n\x85ß"), max_size=12))
def test_the_tag_pattern_accepts_exactly_what_the_server_accepts(name):
    assert bool(re.search(TAG_INPUT_PATTERN, name)) == _accepted(normalize_tag_name, name, ValueError)


@hypothesis_settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("a é\t\n\x01\x1c\x7f\x85\u3000"), max_size=8))
def test_the_title_pattern_accepts_exactly_what_the_server_accepts(title):
    assert bool(re.search(TITLE_PATTERN, title)) == _accepted(_clean_title, title, ValidationFailed)
    assert _request_schema("/api/v1/notes/", "post")["properties"]["title"]["pattern"] == TITLE_PATTERN


def test_bookmark_urls_publish_the_http_rule():
    url = _request_schema("/api/v1/bookmarks", "post")["properties"]["url"]

    assert url["pattern"] == URL_PATTERN
    assert not re.search(url["pattern"], "ftp://example.org/")
    assert not re.search(url["pattern"], "0")
    assert re.search(url["pattern"], " HTTPS://example.org:8443/a?b#c ")


@hypothesis_settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://"]),
    st.text(alphabet=st.sampled_from("a.é:/@?#[]8\\ \t\x01%\uff20"), max_size=12),
)
def test_every_url_the_pattern_accepts_the_server_accepts(scheme, rest):
    url = scheme + rest
    if re.search(URL_PATTERN, url):
        clean_url(url)  # raises ValidationFailed if the schema promised too much


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["0", "ftp://example.org/", "http://[::1/", "http://a:99999/", "http://u@example.org/"])
def test_the_server_refuses_urls_outside_the_pattern_naming_the_field(api_client, user, url):
    api_client.force_authenticate(user)

    response = api_client.post("/api/v1/bookmarks", {"url": url}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["url"]
    assert not re.search(URL_PATTERN, url)
    with pytest.raises(ValidationFailed):
        clean_url(url)


def test_text_inputs_say_nul_and_blank_are_refused():
    title = _request_schema("/api/v1/notes/", "post")["properties"]["title"]
    q = next(p for p in SCHEMA["paths"]["/api/v1/search/"]["get"]["parameters"] if p["name"] == "q")["schema"]

    for schema in (title, q):
        assert not re.search(schema["pattern"], "a\x00b")
        assert not re.search(schema["pattern"], " \t ")
        assert re.search(schema["pattern"], " a ")


@pytest.mark.parametrize("operation", ["/api/v1/notes/", "/api/v1/bookmarks", "/api/v1/jobs", "/api/v1/tokens/"])
def test_blank_cursor_and_tag_query_values_are_documented_as_refused(operation):
    parameters = {p["name"]: p["schema"] for p in SCHEMA["paths"][operation]["get"]["parameters"]}

    assert parameters["cursor"]["minLength"] == 1
    if "tag" in parameters:
        assert parameters["tag"]["minLength"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/tokens/{id}/", "/api/v1/tags/{id}/"])
def test_patch_with_no_field_changes_nothing_as_the_patched_schema_allows(api_client, user, path):
    from fbrain.accounts.services import token_create

    api_client.force_authenticate(user)
    token, _ = token_create(user=user, name="cli")
    note = notes.note_create(owner=user, title="T", body="#alpha")
    tag = note.note_tags.get().tag
    target = path.format(id=token.pk if "tokens" in path else tag.pk)
    schema = _request_schema(path.replace("{id}", "{token_id}" if "tokens" in path else "{tag_id}"), "patch")

    response = api_client.patch(target, {}, format="json")

    assert "required" not in schema
    assert response.status_code == 200, response.content
    assert response.json()["name"] == ("cli" if "tokens" in path else "alpha")


def test_attachments_declare_the_types_they_are_served_as():
    served = SCHEMA["paths"]["/api/v1/attachments/{attachment_id}/{name}"]["get"]["responses"]["200"]["content"]

    assert {"image/png", "image/jpeg", "application/pdf", "application/octet-stream"} <= set(served)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "stored", "served"),
    [("logo.png", "image/png", "image/png"), ("page.html", "text/html", "application/octet-stream")],
)
def test_an_attachment_is_served_as_a_declared_type(api_client, user, settings, tmp_path, name, stored, served):
    from fbrain.transfer.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    attachment = Attachment.objects.create(
        owner=user, name=name, content_type=stored, size=4, file=ContentFile(b"data", name=name)
    )
    api_client.force_authenticate(user)

    response = api_client.get(f"/api/v1/attachments/{attachment.pk}/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == served
    declared = SCHEMA["paths"]["/api/v1/attachments/{attachment_id}/{name}"]["get"]["responses"]["200"]["content"]
    assert served in declared
