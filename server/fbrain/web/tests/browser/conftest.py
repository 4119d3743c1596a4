"""Playwright against a live server: Debian's Chromium, headless, one browser per session.

These tests run with `make test-browser` (FBRAIN_BROWSER=1); `make test` skips them so the unit suite stays
fast. Playwright's sync API runs an event loop in the test thread, so Django's async-safety check (meant
for ORM calls inside coroutines) is turned off for these tests, which only create fixtures with the ORM.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("FBRAIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"
ENABLED = os.environ.get("FBRAIN_BROWSER") == "1"

if ENABLED:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="browser test: run `make test-browser` (sets FBRAIN_BROWSER=1)")
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class ConsoleWatch:
    """Collects console errors; a CSP violation on a script means our own JS was blocked."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def script_blocks(self) -> list[str]:
        return [text for text in self.errors if "Content Security Policy" in text and "script" in text]


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(browser, live_server, console) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.on("console", console)
    yield tab
    context.close()
    assert console.script_blocks() == [], console.script_blocks()


@pytest.fixture
def member(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("ada", email="ada@example.test", password=PASSWORD)


def sign_in(page: Any, username: str = "ada", password: str = PASSWORD, *, open_form: bool = True) -> None:
    if open_form:
        page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def signed_in(page, member, live_server) -> Any:
    """A page whose browser holds a session of `member` (made server-side: faster than the form)."""
    from django.test import Client

    client = Client()
    client.force_login(member)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page
