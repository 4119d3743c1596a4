"""Admin pages for the knowledge base: read-only views (writes go through the services and the API/UI)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fbrain.notes.models import Link, Note, Revision, Tag


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and delete only: an admin edit would skip parsing, links, revisions and the search index."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "kind", "pinned", "archived", "version", "updated_at", "deleted_at")
    list_filter = ("kind", "pinned", "archived")
    search_fields = ("title", "owner__username")
    exclude = ("search_vector", "extra_text")
    list_select_related = ("owner",)
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "created_at")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ("source", "target_title", "target", "embed")
    list_select_related = ("source", "target")
    show_full_result_count = False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("note", "version", "title", "created_at")
    list_select_related = ("note",)
    exclude = ("body",)
    show_full_result_count = False
