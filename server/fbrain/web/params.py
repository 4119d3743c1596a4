"""Query parameters of the browser pages, with the API's fields and bounds (read by core.validation.page_params)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fbrain.bookmarks.models import Bookmark
from fbrain.core.validation import MAX_ID, MAX_PAGE, MAX_SEARCH_PAGE, TextField
from fbrain.notes.models import TAG_MAX_LENGTH, Note
from fbrain.notes.search import QUERY_MAX_CHARS

NOTE_SORTS = ("updated", "created", "title")


def _tag() -> TextField:
    return TextField(required=False, max_length=TAG_MAX_LENGTH)


def _flag() -> serializers.BooleanField:
    # `yes`/`no` from the pages' filters; the API's boolean rule, so `true`/`false` work as well.
    return serializers.BooleanField(required=False, allow_null=True, default=None)


class ListPageParams(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)


class NoteListParams(ListPageParams):
    tag = _tag()
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False)
    sort = serializers.ChoiceField(choices=NOTE_SORTS, required=False, default="updated")
    pinned = _flag()
    archived = _flag()


class BookmarkListParams(ListPageParams):
    status = serializers.ChoiceField(choices=Bookmark.Status.choices, required=False)


class SearchParams(serializers.Serializer):
    q = TextField(required=False, max_length=QUERY_MAX_CHARS)
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_SEARCH_PAGE, default=1)
    tag = _tag()
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False)
    pinned = _flag()
    archived = _flag()

    def get_fields(self) -> dict[str, Any]:
        # `from` and `to` (the date inputs' names) are Python keywords: they cannot be class attributes.
        fields: dict[str, Any] = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields


class TagFilterParams(serializers.Serializer):
    tag = _tag()


class SuggestionParams(serializers.Serializer):
    q = TextField(required=False, max_length=QUERY_MAX_CHARS)


class NoteCreateParams(serializers.Serializer):
    # Longer titles are cut to the form's limit rather than refused: a pending link's text may be longer.
    title = TextField(required=False)


class RevisionDiffParams(serializers.Serializer):
    against = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
