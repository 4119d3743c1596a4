"""API input and output shapes of the knowledge base (plain serializers: the services do the writing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from fbrain.core.validation import MAX_ID, MAX_PAGE, MAX_SEARCH_PAGE, JsonBooleanField, JsonIntegerField, TextField
from fbrain.notes.models import TAG_MAX_LENGTH, TITLE_MAX_LENGTH, TITLE_PATTERN, Note
from fbrain.notes.parsing import TAG_INPUT_PATTERN
from fbrain.notes.search import QUERY_MAX_CHARS

TITLE_MESSAGE = "A title is not empty and has no control characters."
TAG_NAME_MESSAGE = "A tag name is letters, digits, '_' and '-', with '/' between parts, and not only digits."

MAX_PAGE_SIZE = 100
_ZERO = timedelta(0)


def TagNameField(**kwargs: Any) -> TextField:
    """A tag name as input: the schema publishes its grammar (TAG_INPUT_PATTERN)."""
    return TextField(max_length=TAG_MAX_LENGTH, pattern=TAG_INPUT_PATTERN, pattern_message=TAG_NAME_MESSAGE, **kwargs)


class TagsField(serializers.ListField):
    child = TagNameField()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "help_text", "Explicit tags (besides the #tags and front-matter tags of the body). Replaces the old list."
        )
        super().__init__(**kwargs)


# --- inputs -------------------------------------------------------------------------------------------------


class NoteCreateInput(serializers.Serializer):
    title = TextField(max_length=TITLE_MAX_LENGTH, pattern=TITLE_PATTERN, pattern_message=TITLE_MESSAGE)
    body = TextField(
        required=False, default="", allow_blank=True, trim_whitespace=False, help_text="Markdown, at most 1 MiB."
    )
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False, default=Note.Kind.NOTE)
    pinned = JsonBooleanField(required=False, default=False)
    archived = JsonBooleanField(required=False, default=False)
    tags = TagsField(required=False)


class NoteUpdateInput(serializers.Serializer):
    """PUT: title and body are required; PATCH: every field is optional."""

    title = TextField(max_length=TITLE_MAX_LENGTH, pattern=TITLE_PATTERN, pattern_message=TITLE_MESSAGE)
    body = TextField(allow_blank=True, trim_whitespace=False, help_text="Markdown, at most 1 MiB.")
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False)
    pinned = JsonBooleanField(required=False)
    archived = JsonBooleanField(required=False)
    tags = TagsField(required=False)
    version = JsonIntegerField(
        required=False,
        min_value=1,
        help_text="The version you edited. If the note has changed since, the update is refused with 409. "
        "The `If-Match` header does the same with 412.",
    )
    rewrite_links = JsonBooleanField(
        required=False, default=False, help_text="On rename, rewrite `[[Old title]]` in the notes linking here."
    )


class NotePatchInput(NoteUpdateInput):
    title = TextField(max_length=TITLE_MAX_LENGTH, pattern=TITLE_PATTERN, pattern_message=TITLE_MESSAGE, required=False)
    body = TextField(required=False, allow_blank=True, trim_whitespace=False, help_text="Markdown, at most 1 MiB.")


class NoteDeleteQuery(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text="Refuse (409) unless still this version.")


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=50)


class CursorListQuery(serializers.Serializer):
    """The query of a cursor-paginated list (every list but search and the graph)."""

    cursor = serializers.CharField(required=False, max_length=1000, help_text="From `next`/`previous`.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=50)


class NoteListQuery(serializers.Serializer):
    ORDERINGS = ("-updated_at", "updated_at", "-created_at", "created_at", "title", "-title")

    cursor = serializers.CharField(required=False, max_length=1000, help_text="From `next`/`previous`.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-updated_at")
    tag = TextField(required=False, max_length=TAG_MAX_LENGTH, help_text="Tag name; includes its children.")
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False)
    pinned = serializers.BooleanField(required=False, allow_null=True, default=None)
    archived = serializers.BooleanField(required=False, allow_null=True, default=None)
    updated_since = serializers.DateTimeField(required=False)


class SearchQueryInput(serializers.Serializer):
    q = TextField(
        max_length=QUERY_MAX_CHARS,
        help_text='Words (prefix-matched), "exact phrases", `OR`, `-excluded`; accents and case are ignored.',
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_SEARCH_PAGE, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20)
    tag = TextField(required=False, max_length=TAG_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False)
    pinned = serializers.BooleanField(required=False, allow_null=True, default=None)
    archived = serializers.BooleanField(required=False, allow_null=True, default=None)
    updated_from = serializers.DateTimeField(required=False)
    updated_to = serializers.DateTimeField(required=False)
    created_from = serializers.DateTimeField(required=False)
    created_to = serializers.DateTimeField(required=False)


class GraphQuery(PageQuery):
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=100)
    tag = TextField(required=False, max_length=TAG_MAX_LENGTH)


class TagListQuery(CursorListQuery):
    prefix = TextField(required=False, max_length=TAG_MAX_LENGTH, help_text="A tag and its children.")


class TagRenameInput(serializers.Serializer):
    name = TagNameField()


class TagMergeInput(serializers.Serializer):
    source_ids = serializers.ListField(
        child=JsonIntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=100
    )
    target = TagNameField(help_text="Name of the tag to merge into (created if missing).")


class RevisionDiffQuery(serializers.Serializer):
    against = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Another revision id; default: the current note."
    )


class RevisionRestoreInput(serializers.Serializer):
    version = JsonIntegerField(required=False, min_value=1, help_text="Refuse (409) unless still this version.")


# --- outputs ------------------------------------------------------------------------------------------------


def tag_names(note: Note) -> list[str]:
    return [note_tag.tag.name for note_tag in note.note_tags.all()]


class NoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    kind = serializers.ChoiceField(choices=Note.Kind.choices)
    pinned = serializers.BooleanField()
    archived = serializers.BooleanField()
    tags = serializers.SerializerMethodField()
    aliases = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField(help_text="Send it back (or `If-Match`) to update safely.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_tags(self, note: Note) -> list[str]:
        return tag_names(note)


class NoteListItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Note.Kind.choices)
    pinned = serializers.BooleanField()
    archived = serializers.BooleanField()
    tags = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_tags(self, note: Note) -> list[str]:
        return tag_names(note)


def datetime_text(value: datetime) -> str:
    """A datetime as `serializers.DateTimeField` writes it (ISO 8601 in the current time zone, `Z` for UTC)."""
    if value.utcoffset() != _ZERO or timezone.get_current_timezone_name() != "UTC":
        value = timezone.localtime(value)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def note_list_item(row: dict[str, Any]) -> dict[str, Any]:
    """The `NoteListItemOutput` shape from a `selectors.note_rows` dict, without a serializer per row.

    DRF serialisation of a 20-note page cost several times the page's SQL; tests pin the shapes equal.
    """
    return {
        "id": row["id"],
        "title": row["title"],
        "kind": row["kind"],
        "pinned": row["pinned"],
        "archived": row["archived"],
        "tags": row["tag_names"],
        "version": row["version"],
        "created_at": datetime_text(row["created_at"]),
        "updated_at": datetime_text(row["updated_at"]),
    }


def note_detail(row: dict[str, Any]) -> dict[str, Any]:
    """The `NoteOutput` shape from a `selectors.note_data` dict."""
    return {
        **note_list_item(row),
        "body": row["body"],
        "aliases": row["aliases"],
    }


class TrashItemOutput(NoteListItemOutput):
    deleted_at = serializers.DateTimeField()


class NoteRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()


class LinkOutput(serializers.Serializer):
    target_title = serializers.CharField()
    alias = serializers.CharField()
    heading = serializers.CharField()
    embed = serializers.BooleanField()
    pending = serializers.BooleanField(source="is_pending", help_text="No note has this title yet.")
    target = NoteRefOutput(allow_null=True)


class BacklinkOutput(serializers.Serializer):
    source = NoteRefOutput()  # type: ignore[assignment]
    alias = serializers.CharField()
    heading = serializers.CharField()
    embed = serializers.BooleanField()


class RevisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField(help_text="When this version was saved.")


class RevisionDetailOutput(RevisionOutput):
    body = serializers.CharField()


class DiffOutput(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    title_changed = serializers.BooleanField()
    diff = serializers.CharField(help_text="Unified diff of title and body.")


class HtmlOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    html = serializers.CharField(help_text="Sanitised HTML of the body.")


class TagOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    note_count = serializers.IntegerField(help_text="Live notes carrying exactly this tag.")


class SearchHitOutput(serializers.Serializer):
    note = NoteListItemOutput()
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="Escaped text with the hits in `<mark>`.")


class SearchOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Number of matches; a lower bound when `count_exact` is false.")
    count_exact = serializers.BooleanField(help_text="False when counting stopped early (very many matches).")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    fuzzy = serializers.BooleanField(
        help_text="True when full text found nothing and titles close to the query are shown."
    )
    results = SearchHitOutput(many=True)


class GraphNodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()


class GraphEdgeOutput(serializers.Serializer):
    source = serializers.IntegerField()  # type: ignore[assignment]
    target = serializers.IntegerField()


class GraphOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Nodes in the whole (filtered) graph.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    has_next = serializers.BooleanField()
    nodes = GraphNodeOutput(many=True)
    edges = GraphEdgeOutput(many=True, help_text="Links from this page's nodes (targets may be on other pages).")
    edges_truncated = serializers.BooleanField()


class CountOutput(serializers.Serializer):
    purged = serializers.IntegerField()
