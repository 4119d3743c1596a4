"""URLs of the browser pages: site pages (namespace `web`) and note pages (namespace `notes`)."""

from django.urls import include, path, re_path

from fbrain.web.views import account, bookmarks, graph, history, home, notes, search, tags, transfer, trash
from fbrain.web.views import settings as settings_views

site_patterns = [
    path("accounts/signup/", account.sign_up, name="signup"),
    path("setup/", account.first_user_setup, name="setup"),
    path("capture", home.quick_capture, name="capture"),
    path("bookmarks/", bookmarks.bookmark_list, name="bookmarks"),
    path("bookmarks/<int:bookmark_id>/row", bookmarks.bookmark_row, name="bookmark-row"),
    path("bookmarks/<int:bookmark_id>/recapture", bookmarks.bookmark_recapture, name="bookmark-recapture"),
    path("graph/", graph.graph_page, name="graph"),
    path("graph/data", graph.graph_data, name="graph-data"),
    path("search/", search.search_page, name="search"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/tokens/<int:token_id>/revoke", settings_views.token_revoke, name="token-revoke"),
    path("tags/", tags.tag_index, name="tags"),
    path("tags/merge", tags.tag_merge, name="tag-merge"),
    path("tags/<int:tag_id>/rename", tags.tag_rename, name="tag-rename"),
    path("transfer/", transfer.transfer_index, name="transfer"),
    path("transfer/export", transfer.export_start, name="export"),
    path("transfer/jobs/<uuid:job_id>/", transfer.job_detail, name="job"),
    path("transfer/jobs/<uuid:job_id>/progress", transfer.job_progress, name="job-progress"),
    path("transfer/jobs/<uuid:job_id>/cancel", transfer.job_cancel, name="job-cancel"),
    path("trash/", trash.trash_list, name="trash"),
    path("trash/empty", trash.trash_empty, name="trash-empty"),
    path("trash/<int:note_id>/restore", trash.trash_restore, name="trash-restore"),
    path("trash/<int:note_id>/purge", trash.trash_purge, name="trash-purge"),
]

note_patterns = [
    path("", notes.note_list, name="list"),
    path("new/", notes.note_create, name="create"),
    path("preview", notes.note_preview, name="preview"),
    path("titles", notes.title_suggestions, name="titles"),
    path("tags", notes.tag_suggestions, name="tags"),
    path("<int:note_id>/", notes.note_detail, name="detail"),
    path("<int:note_id>/edit/", notes.note_edit, name="edit"),
    path("<int:note_id>/delete", notes.note_delete, name="delete"),
    re_path(r"^(?P<note_id>[0-9]+)/toggle/(?P<field>pinned|archived)$", notes.note_toggle, name="toggle"),
    path("<int:note_id>/history/", history.revision_list, name="history"),
    path("<int:note_id>/history/<int:revision_id>/", history.revision_diff, name="revision"),
    path("<int:note_id>/history/<int:revision_id>/restore", history.revision_restore, name="revision-restore"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("", include((site_patterns, "web"))),
    path("notes/", include((note_patterns, "notes"))),
]
