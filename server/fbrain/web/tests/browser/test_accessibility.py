"""Browser: axe-core finds no WCAG 2 A/AA violation on the main pages, in light and dark mode.

axe-core is fetched from npm by `.ci/steps/45-browser.sh` into `.cache/axe/` (or set FBRAIN_AXE_JS); without it
these tests are skipped with that reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fbrain.notes import services

_CACHED = sorted((Path(__file__).resolve().parents[5] / ".cache/axe").glob("*/package/axe.min.js"))
AXE = Path(os.environ.get("FBRAIN_AXE_JS") or (_CACHED[-1] if _CACHED else ".cache/axe/missing.js"))
RUN_AXE = """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})
    .then(result => result.violations.map(v => v.id + ': ' + v.help + ' -> ' +
        v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"""


@pytest.fixture
def demo(member):
    from fbrain.bookmarks.models import Bookmark
    from fbrain.bookmarks.services import bookmark_create

    hub = services.note_create(owner=member, title="Hub", body="# Hub\n\nSee [[Spoke]] and [[Missing]]. #map/area")
    services.note_create(owner=member, title="Spoke", body="Back to [[Hub]].\n\n- [x] done\n\n`code`")
    services.note_update(note=hub, body=hub.body + "\n\nMore.")
    bookmark = bookmark_create(owner=member, url="http://127.0.0.1:9/page").bookmark
    Bookmark.objects.filter(pk=bookmark.pk).update(status="failed", failure_reason="The server answered 404.")
    return hub


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_wcag_violations(browser, live_server, member, demo, scheme):
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE} (.ci/steps/45-browser.sh fetches it)")
    from django.test import Client

    client = Client()
    client.force_login(member)
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme, bypass_csp=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    pages = [
        "/",
        "/notes/",
        f"/notes/{demo.pk}/",
        f"/notes/{demo.pk}/edit/",
        f"/notes/{demo.pk}/history/",
        "/search/?q=hub",
        "/bookmarks/",
        "/tags/",
        "/graph/",
        "/transfer/",
        "/trash/",
        "/settings/",
        "/accounts/password_change/",
        "/no-such-page",
    ]
    problems = {}
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
        if violations:
            problems[path] = violations
    context.close()
    anonymous = browser.new_context(base_url=live_server.url, color_scheme=scheme, bypass_csp=True)
    page = anonymous.new_page()
    page.goto("/accounts/login/")
    page.add_script_tag(path=str(AXE))
    if violations := page.evaluate(RUN_AXE):
        problems["/accounts/login/"] = violations
    anonymous.close()
    assert problems == {}
