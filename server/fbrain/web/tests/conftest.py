"""Fixtures for the page tests: a signed-in browser-like client."""

import pytest

from fbrain.core.tests.factories import UserFactory


@pytest.fixture
def member(db):
    return UserFactory(username="ada")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client
