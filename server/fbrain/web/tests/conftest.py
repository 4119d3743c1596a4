"""Fixtures for the page tests: a signed-in browser-like client."""

import pytest
from django.core.cache import cache

from fbrain.core.tests.factories import UserFactory


@pytest.fixture
def member(db):
    return UserFactory(username="ada")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def _forget_rendered_notes() -> None:
    # Only the render cache: clearing the whole Redis database would also drop Celery's broker queues.
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("notes:html:*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered notes are cached by note id and version; ids restart in every test database."""
    _forget_rendered_notes()
    yield
    _forget_rendered_notes()
