"""Fixtures for capture tests: the local page server, and capture allowed to reach it."""

from collections.abc import Iterator

import pytest

from fbrain.bookmarks.tests.fixture_server import FixtureServer


@pytest.fixture
def page_server() -> Iterator[FixtureServer]:
    server = FixtureServer().start()
    yield server
    server.stop()


@pytest.fixture
def allow_local(settings):
    """Let capture reach the fixture server on 127.0.0.1 (and only that address)."""
    settings.CAPTURE_ALLOW_HOSTS = ["127.0.0.1/32"]
    return settings
