"""Test data for bookmarks, made through the service so the note, tags and constraints are real."""

import itertools

from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.services import bookmark_create
from fbrain.core.tests.factories import UserFactory

_numbers = itertools.count()


def make_bookmark(*, owner=None, url: str | None = None, **kwargs) -> Bookmark:
    """A saved (pending) bookmark; its capture is queued on commit, which `db` tests never reach."""
    owner = owner or UserFactory()
    return bookmark_create(owner=owner, url=url or f"http://127.0.0.1:9/page-{next(_numbers)}", **kwargs).bookmark
