"""Admin pages for the knowledge base (read-mostly: writes belong to the services)."""

from django.contrib import admin

from fbrain.notes.models import Link, Note, Revision, Tag


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "kind", "pinned", "archived", "version", "updated_at", "deleted_at")
    list_filter = ("kind", "pinned", "archived")
    search_fields = ("title", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = ("version", "created_at", "updated_at", "deleted_at", "aliases")
    exclude = ("search_vector", "extra_text")
    list_select_related = ("owner",)
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)
    list_select_related = ("owner",)


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("source", "target_title", "target", "embed")
    raw_id_fields = ("owner", "source", "target")
    list_select_related = ("source", "target")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("note", "version", "title", "created_at")
    raw_id_fields = ("note",)
    list_select_related = ("note",)
