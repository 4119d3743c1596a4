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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered notes are cached by note id and version; ids restart in every test database."""
    cache.clear()
    yield
    cache.clear()
