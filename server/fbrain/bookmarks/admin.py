"""Admin pages for bookmarks: status and failure reasons at a glance."""

from django.contrib import admin

from fbrain.bookmarks.models import Bookmark


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "status", "failure_code", "http_status", "fetched_at", "dead_since")
    list_filter = ("status", "failure_code")
    search_fields = ("url", "page_title")
    raw_id_fields = ("note", "owner")
    readonly_fields = ("created_at", "updated_at", "fetched_at", "checked_at")
