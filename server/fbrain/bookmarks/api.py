"""Bookmarks API: save a URL (captured in the background), list, show, recapture."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fbrain.bookmarks import selectors, services
from fbrain.bookmarks.models import Bookmark
from fbrain.bookmarks.normalize import URL_MAX_LENGTH, URL_PATTERN
from fbrain.core.errors import PayloadTooLarge
from fbrain.core.schema import ERROR_RESPONSES, error_response
from fbrain.core.validation import (
    CursorQuery,
    NewestFirstPagination,
    TextField,
    body_params,
    cursor_page,
    query_params,
)
from fbrain.notes.models import BODY_MAX_BYTES, TITLE_MAX_LENGTH, TITLE_PATTERN
from fbrain.notes.serializers import TITLE_MESSAGE, TagNameField


class BookmarkInput(serializers.Serializer):
    url = TextField(
        max_length=URL_MAX_LENGTH,
        pattern=URL_PATTERN,
        pattern_message="Only http and https URLs with a host name can be bookmarked.",
        help_text="An http(s) URL.",
    )
    title = TextField(
        max_length=TITLE_MAX_LENGTH,
        pattern=TITLE_PATTERN,
        pattern_message=TITLE_MESSAGE,
        required=False,
        help_text="Optional; otherwise the page's title once captured.",
    )
    tags = serializers.ListField(child=TagNameField(), required=False, max_length=100)
    note = TextField(required=False, allow_blank=True, help_text="Markdown body of the bookmark note, at most 1 MiB.")

    def validate_note(self, value: str) -> str:
        # The note-body limit, named after this field (the note service would name `body`).
        if len(value.encode("utf-8", "surrogatepass")) > BODY_MAX_BYTES:
            raise PayloadTooLarge(
                "The note is larger than 1 MiB.", fields={"note": [f"At most {BODY_MAX_BYTES} bytes of UTF-8."]}
            )
        return value


class BookmarkOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="The id of the bookmark's note.")
    title = serializers.CharField(source="note.title")
    url = serializers.CharField()
    normalized_url = serializers.CharField()
    status = serializers.ChoiceField(choices=Bookmark.Status.choices)
    failure_code = serializers.CharField(help_text="Stable code of the failure: `refused_address`, `timeout`, ...")
    failure_reason = serializers.CharField(help_text="Why the capture failed, for a person.")
    http_status = serializers.IntegerField(allow_null=True)
    final_url = serializers.CharField()
    canonical_url = serializers.CharField()
    content_type = serializers.CharField()
    page_title = serializers.CharField()
    description = serializers.CharField()
    site_name = serializers.CharField()
    language = serializers.CharField()
    fetched_at = serializers.DateTimeField(allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)
    dead_since = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class BookmarkDetailOutput(BookmarkOutput):
    text = serializers.CharField(help_text="The page's readable text.")
    note = serializers.CharField(source="note.body")


class BookmarkListQuery(CursorQuery):
    status = serializers.ChoiceField(choices=Bookmark.Status.choices, required=False)
    dead = serializers.BooleanField(required=False, help_text="Only dead (true) or live (false) links.")


class BookmarkListApi(APIView):
    max_body_setting = "DATA_UPLOAD_MAX_MEMORY_SIZE"  # the bookmark's note: a note body of 1 MiB

    @extend_schema(
        operation_id="bookmarks_list",
        parameters=[BookmarkListQuery],
        responses={200: cursor_page("BookmarkPage", BookmarkOutput(many=True)), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        values = query_params(BookmarkListQuery, request)
        bookmarks = selectors.bookmark_list(owner=request.user, status=values.get("status"), dead=values.get("dead"))
        paginator = NewestFirstPagination()
        page = paginator.paginate_queryset(bookmarks, request, view=self)
        return paginator.get_paginated_response(BookmarkOutput(page, many=True).data)

    @extend_schema(
        operation_id="bookmarks_create",
        request=BookmarkInput,
        responses={
            201: OpenApiResponse(BookmarkDetailOutput, description="Saved; the capture runs in the background."),
            200: OpenApiResponse(BookmarkDetailOutput, description="This URL was already saved: the existing one."),
            409: error_response("The explicit title is already used by another note."),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        values = body_params(BookmarkInput, request)
        result = services.bookmark_create(
            owner=request.user,
            url=values["url"],
            title=values.get("title"),
            tags=values.get("tags"),
            note=values.get("note", ""),
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        response = Response(BookmarkDetailOutput(result.bookmark).data, status=code)
        response["Location"] = f"/api/v1/bookmarks/{result.bookmark.pk}"
        return response


class BookmarkDetailApi(APIView):
    @extend_schema(operation_id="bookmarks_retrieve", responses={200: BookmarkDetailOutput, **ERROR_RESPONSES})
    def get(self, request: Request, bookmark_id: int) -> Response:
        bookmark = selectors.bookmark_get(owner=request.user, bookmark_id=bookmark_id)
        return Response(BookmarkDetailOutput(bookmark).data)


class BookmarkRecaptureApi(APIView):
    @extend_schema(
        operation_id="bookmarks_recapture",
        request=None,
        responses={202: BookmarkDetailOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, bookmark_id: int) -> Response:
        bookmark = selectors.bookmark_get(owner=request.user, bookmark_id=bookmark_id)
        bookmark = services.bookmark_recapture(bookmark=bookmark)
        return Response(BookmarkDetailOutput(bookmark).data, status=status.HTTP_202_ACCEPTED)
