"""API URLs of the knowledge base (included under /api/v1/)."""

import re

from django.urls import path, register_converter

from fbrain.notes import api

_ID_RE = re.compile(r"[0-9]{1,18}")


class IdConverter:
    """A database id. Anything else (text, 19+ digits) becomes 0, which no row has: a JSON 404 from the view."""

    regex = "[^/]+"

    def to_python(self, value: str) -> int:
        return int(value) if _ID_RE.fullmatch(value) else 0

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("notes/", api.NoteListApi.as_view(), name="notes"),
    path("notes/<id:note_id>/", api.NoteDetailApi.as_view(), name="note-detail"),
    path("notes/<id:note_id>/html/", api.NoteHtmlApi.as_view(), name="note-html"),
    path("notes/<id:note_id>/backlinks/", api.BacklinksApi.as_view(), name="note-backlinks"),
    path("notes/<id:note_id>/links/", api.LinksApi.as_view(), name="note-links"),
    path("notes/<id:note_id>/revisions/", api.RevisionListApi.as_view(), name="note-revisions"),
    path(
        "notes/<id:note_id>/revisions/<id:revision_id>/", api.RevisionDetailApi.as_view(), name="note-revision-detail"
    ),
    path(
        "notes/<id:note_id>/revisions/<id:revision_id>/diff/", api.RevisionDiffApi.as_view(), name="note-revision-diff"
    ),
    path(
        "notes/<id:note_id>/revisions/<id:revision_id>/restore/",
        api.RevisionRestoreApi.as_view(),
        name="note-revision-restore",
    ),
    path("tags/", api.TagListApi.as_view(), name="tags"),
    path("tags/merge/", api.TagMergeApi.as_view(), name="tags-merge"),
    path("tags/<id:tag_id>/", api.TagDetailApi.as_view(), name="tag-detail"),
    path("trash/", api.TrashListApi.as_view(), name="trash"),
    path("trash/<id:note_id>/", api.TrashDetailApi.as_view(), name="trash-detail"),
    path("trash/<id:note_id>/restore/", api.TrashRestoreApi.as_view(), name="trash-restore"),
    path("search/", api.SearchApi.as_view(), name="search"),
    path("graph/", api.GraphApi.as_view(), name="graph"),
]
