"""Browser: Swagger UI renders from our own files under the site's CSP, with no violation and no CDN."""

from __future__ import annotations

from urllib.parse import urlsplit


def test_swagger_ui_renders_under_the_policy(signed_in, console, live_server):
    page = signed_in
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    response = page.goto("/api/docs/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    # A 1.5 MB bundle and the whole schema: slow on a busy machine.
    page.locator(".swagger-ui .info .title").get_by_text("F_BRAIN API").wait_for(timeout=60_000)
    page.get_by_text("/api/v1/notes/", exact=True).first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    assert [text for text in console.errors if "Content Security Policy" in text] == []
    assert origins == {urlsplit(live_server.url).netloc}


def test_swagger_ui_sends_a_signed_out_visitor_to_sign_in(page):
    page.goto("/api/docs/")
    assert "/accounts/login/?next=/api/docs/" in page.url
