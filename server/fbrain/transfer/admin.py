"""Admin pages for import/export jobs and attachments."""

from django.contrib import admin

from fbrain.transfer.models import Attachment, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "status", "processed", "total", "created_at", "finished_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "started_at", "heartbeat_at", "finished_at", "counts", "errors")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "content_type", "size", "created_at")
    raw_id_fields = ("owner",)
