"""App configuration for bookmarks."""

from django.apps import AppConfig


class BookmarksConfig(AppConfig):
    name = "fbrain.bookmarks"
    label = "bookmarks"
    verbose_name = "Bookmarks"
