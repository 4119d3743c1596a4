"""The Content-Security-Policy header and the htmx-aware sign-in redirect."""

from django.test import override_settings

from fbrain.web.middleware import DEFAULT_POLICY, build_policy


def test_pages_carry_a_strict_policy_without_inline_scripts(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_error_pages_carry_the_policy_too(client, db):
    assert client.get("/no-such-page").has_header("Content-Security-Policy")


def test_swagger_ui_is_not_exempt(client, db):
    assert client.get("/api/docs/").has_header("Content-Security-Policy")


@override_settings(CSP_DIRECTIVES={"img-src": "'self'"})
def test_settings_may_override_one_directive(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "img-src 'self';" in policy
    assert "script-src 'self'" in policy


def test_build_policy_joins_directives():
    assert build_policy({"a": "x", "b": "y"}) == "a x; b y"
    assert "default-src 'self'" in build_policy(DEFAULT_POLICY)


def test_htmx_request_with_expired_session_redirects_the_whole_page(client, db):
    response = client.get(
        "/settings/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/settings/?tab=tokens"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fsettings%2F%3Ftab%3Dtokens"


def test_htmx_request_without_current_url_goes_back_home(client, db):
    response = client.get("/settings/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"


def test_plain_request_keeps_the_normal_redirect(client, db):
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/"


def test_htmx_redirects_elsewhere_are_left_alone(signed_in, member):
    response = signed_in.post("/settings/tokens/999/revoke", headers={"HX-Request": "true"})
    assert response.status_code == 302
    assert "HX-Redirect" not in response


def test_domain_errors_in_pages_become_friendly_pages(db, rf):
    from django.contrib.auth.models import AnonymousUser

    from fbrain.core.errors import Conflict, NotFound
    from fbrain.web.middleware import DomainErrorPageMiddleware

    middleware = DomainErrorPageMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = rf.get("/notes/1/")
    request.user = AnonymousUser()
    assert middleware.process_exception(request, NotFound("gone")).status_code == 404  # type: ignore[union-attr]
    conflict = middleware.process_exception(request, Conflict("Already there."))
    assert conflict is not None
    assert conflict.status_code == 409
    assert b"Already there." in conflict.content
    assert middleware.process_exception(request, ValueError("x")) is None
    assert middleware.process_exception(rf.get("/api/v1/x"), NotFound("gone")) is None
