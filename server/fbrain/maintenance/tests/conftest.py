"""The page server fixtures of the bookmark tests, for the dead-link re-check."""

from fbrain.bookmarks.tests.conftest import allow_local, page_server

__all__ = ["allow_local", "page_server"]
