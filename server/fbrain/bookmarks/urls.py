"""Bookmark API routes (mounted under /api/v1/)."""

from django.urls import path

from fbrain.bookmarks import api

urlpatterns = [
    path("bookmarks", api.BookmarkListApi.as_view(), name="bookmarks"),
    path("bookmarks/<int:bookmark_id>", api.BookmarkDetailApi.as_view(), name="bookmark-detail"),
    path("bookmarks/<int:bookmark_id>/recapture", api.BookmarkRecaptureApi.as_view(), name="bookmark-recapture"),
]
