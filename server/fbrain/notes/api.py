"""REST API of the knowledge base: each view parses input, calls one service or selector, shapes the output."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fbrain.core import response_cache
from fbrain.core.errors import PreconditionFailed
from fbrain.core.parsers import DepthLimitedJSONParser
from fbrain.core.schema import ERROR_RESPONSES, error_response
from fbrain.core.validation import body_params, query_params
from fbrain.features.flags import GRAPH_VIEW, require_feature
from fbrain.notes import search, selectors, services
from fbrain.notes import serializers as s
from fbrain.notes.models import Note

NOTE_ID = OpenApiParameter("note_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Note id.")
REVISION_ID = OpenApiParameter("revision_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Revision id.")
TAG_ID = OpenApiParameter("tag_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Tag id.")
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag you read (`"<version>"`). If the note has changed since, the write is refused with 412.',
)
READ_ERRORS = {code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 405, 406, 429)}
WRITE_ERRORS = {
    **ERROR_RESPONSES,
    409: error_response("Conflict: a note with this title exists, or the `version` you sent is stale."),
    412: error_response("Precondition failed: the `If-Match` version is stale."),
}
_ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def _input(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    return body_params(serializer_class, request)


def _if_match(request: Request) -> int | None:
    """The version named by If-Match; None when absent or `*`. An unparsable value never matches."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() in ("", "*"):
        return None
    match = _ETAG_RE.match(header)
    return int(match.group(1)) if match else 0


def _with_etag(response: Response, note: Note) -> Response:
    response["ETag"] = note.etag
    return response


def _note_body(note: Note) -> dict[str, Any]:
    return dict(s.NoteOutput(note).data)


def _reload(owner: Any, note: Note) -> Note:
    return selectors.note_get(owner=owner, note_id=note.pk)


def _page(items: QuerySet[Any], query: dict[str, Any], serializer_class: type[serializers.Serializer]) -> Response:
    page, size = query["page"], query["page_size"]
    count = items.count()
    results = serializer_class(items[(page - 1) * size : page * size], many=True).data
    return Response({"count": count, "page": page, "page_size": size, "results": results})


def _page_output(name: str, item: serializers.Serializer) -> serializers.Serializer:
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
            "results": item,
        },
    )


class JsonApiView(APIView):
    """Every knowledge-base endpoint takes JSON bodies only (one documented request type)."""

    parser_classes = [DepthLimitedJSONParser]


class NoteCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = s.MAX_PAGE_SIZE

    def __init__(self, ordering: str) -> None:
        tie_breaker = "-id" if ordering.startswith("-") else "id"
        self.ordering = (ordering, tie_breaker)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None


class NoteListApi(JsonApiView):
    max_body_setting = "DATA_UPLOAD_MAX_MEMORY_SIZE"  # a note body of 1 MiB, escapes and all
    """List (cursor-paginated, filtered) and create notes."""

    cached_reads = True  # GET answers come from fbrain.core.response_cache

    @extend_schema(
        operation_id="notes_list",
        parameters=[s.NoteListQuery],
        responses={
            200: inline_serializer(
                "NotePage",
                {
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": s.NoteListItemOutput(many=True),
                },
            ),
            **READ_ERRORS,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        return response_cache.serve(request, lambda: (self._page(request), {}))

    def _page(self, request: Request) -> dict[str, Any]:
        query = query_params(s.NoteListQuery, request)
        rows = selectors.note_rows(
            owner=request.user,
            tag=query.get("tag"),
            kind=query.get("kind"),
            pinned=query["pinned"],
            archived=query["archived"],
            updated_since=query.get("updated_since"),
        )
        paginator = NoteCursorPagination(query["ordering"])
        page = selectors.attach_tag_names(paginator.paginate_queryset(rows, request, view=self) or [])
        return dict(paginator.get_paginated_response([s.note_list_item(row) for row in page]).data)

    @extend_schema(
        operation_id="notes_create", request=s.NoteCreateInput, responses={201: s.NoteOutput, **WRITE_ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = _input(s.NoteCreateInput, request)
        note = services.note_create(owner=request.user, **data)
        note = _reload(request.user, note)
        return _with_etag(Response(_note_body(note), status=status.HTTP_201_CREATED), note)


class NoteDetailApi(JsonApiView):
    max_body_setting = "DATA_UPLOAD_MAX_MEMORY_SIZE"  # a note body of 1 MiB, escapes and all
    """Read, replace, change or trash one note; writes honour `If-Match` (412) and `version` (409)."""

    cached_reads = True

    def _write(self, request: Request, note_id: int, serializer_class: type[serializers.Serializer]) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        data = _input(serializer_class, request)
        if_match = _if_match(request)
        expected = if_match if if_match is not None else data.pop("version", None)
        data.pop("version", None)
        try:
            note = services.note_update(note=note, expected_version=expected, **data)
        except services.StaleVersion as exc:
            if if_match is None:
                raise
            raise PreconditionFailed(exc.message, fields={"If-Match": [exc.message]}) from None
        note = _reload(request.user, note)
        return _with_etag(Response(_note_body(note)), note)

    @extend_schema(operation_id="notes_retrieve", parameters=[NOTE_ID], responses={200: s.NoteOutput, **READ_ERRORS})
    def get(self, request: Request, note_id: int) -> HttpResponse:
        def build() -> tuple[dict[str, Any], dict[str, str]]:
            row = selectors.note_data(owner=request.user, note_id=note_id)
            return s.note_detail(row), {"ETag": Note.etag_for(row["version"])}

        return response_cache.serve(request, build)

    @extend_schema(
        operation_id="notes_update",
        parameters=[NOTE_ID, IF_MATCH],
        request=s.NoteUpdateInput,
        responses={200: s.NoteOutput, **WRITE_ERRORS},
    )
    def put(self, request: Request, note_id: int) -> Response:
        return self._write(request, note_id, s.NoteUpdateInput)

    @extend_schema(
        operation_id="notes_partial_update",
        parameters=[NOTE_ID, IF_MATCH],
        request=s.NotePatchInput,
        responses={200: s.NoteOutput, **WRITE_ERRORS},
    )
    def patch(self, request: Request, note_id: int) -> Response:
        return self._write(request, note_id, s.NotePatchInput)

    @extend_schema(
        operation_id="notes_destroy",
        parameters=[NOTE_ID, IF_MATCH, s.NoteDeleteQuery],
        responses={204: OpenApiResponse(description="Moved to the trash."), **WRITE_ERRORS},
    )
    def delete(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        query = query_params(s.NoteDeleteQuery, request)
        if_match = _if_match(request)
        try:
            services.note_delete(note=note, expected_version=if_match if if_match is not None else query.get("version"))
        except services.StaleVersion as exc:
            if if_match is None:
                raise
            raise PreconditionFailed(exc.message, fields={"If-Match": [exc.message]}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteHtmlApi(JsonApiView):
    @extend_schema(operation_id="notes_html", parameters=[NOTE_ID], responses={200: s.HtmlOutput, **READ_ERRORS})
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        return Response({"id": note.pk, "version": note.version, "html": selectors.note_html(note=note)})


class BacklinksApi(JsonApiView):
    @extend_schema(
        operation_id="notes_backlinks",
        parameters=[NOTE_ID, s.PageQuery],
        responses={200: _page_output("BacklinkPage", s.BacklinkOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        query = query_params(s.PageQuery, request)
        return _page(selectors.backlinks(owner=request.user, note=note), query, s.BacklinkOutput)


class LinksApi(JsonApiView):
    @extend_schema(
        operation_id="notes_links",
        parameters=[NOTE_ID, s.PageQuery],
        responses={200: _page_output("LinkPage", s.LinkOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        query = query_params(s.PageQuery, request)
        return _page(selectors.outgoing_links(owner=request.user, note=note), query, s.LinkOutput)


class RevisionListApi(JsonApiView):
    @extend_schema(
        operation_id="notes_revisions_list",
        parameters=[NOTE_ID, s.PageQuery],
        responses={200: _page_output("RevisionPage", s.RevisionOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        query = query_params(s.PageQuery, request)
        return _page(selectors.revision_list(owner=request.user, note=note), query, s.RevisionOutput)


class RevisionDetailApi(JsonApiView):
    @extend_schema(
        operation_id="notes_revisions_retrieve",
        parameters=[NOTE_ID, REVISION_ID],
        responses={200: s.RevisionDetailOutput, **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int, revision_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        revision = selectors.revision_get(owner=request.user, note=note, revision_id=revision_id)
        return Response(s.RevisionDetailOutput(revision).data)


class RevisionDiffApi(JsonApiView):
    @extend_schema(
        operation_id="notes_revisions_diff",
        parameters=[NOTE_ID, REVISION_ID, s.RevisionDiffQuery],
        responses={200: s.DiffOutput, **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int, revision_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        revision = selectors.revision_get(owner=request.user, note=note, revision_id=revision_id)
        query = query_params(s.RevisionDiffQuery, request)
        against = query.get("against")
        other = selectors.revision_get(owner=request.user, note=note, revision_id=against) if against else None
        return Response(selectors.revision_diff(note=note, revision=revision, against=other))


class RevisionRestoreApi(JsonApiView):
    @extend_schema(
        operation_id="notes_revisions_restore",
        parameters=[NOTE_ID, REVISION_ID, IF_MATCH],
        request=s.RevisionRestoreInput,
        responses={200: s.NoteOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, note_id: int, revision_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        revision = selectors.revision_get(owner=request.user, note=note, revision_id=revision_id)
        data = _input(s.RevisionRestoreInput, request)
        if_match = _if_match(request)
        try:
            restored = services.revision_restore(
                revision=revision, expected_version=if_match if if_match is not None else data.get("version")
            )
        except services.StaleVersion as exc:
            if if_match is None:
                raise
            raise PreconditionFailed(exc.message, fields={"If-Match": [exc.message]}) from None
        restored = _reload(request.user, restored)
        return _with_etag(Response(_note_body(restored)), restored)


class TagListApi(JsonApiView):
    @extend_schema(
        operation_id="tags_list",
        parameters=[s.TagListQuery],
        responses={200: _page_output("TagPage", s.TagOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = query_params(s.TagListQuery, request)
        return _page(selectors.tag_list(owner=request.user, prefix=query.get("prefix")), query, s.TagOutput)


class TagDetailApi(JsonApiView):
    @extend_schema(operation_id="tags_retrieve", parameters=[TAG_ID], responses={200: s.TagOutput, **READ_ERRORS})
    def get(self, request: Request, tag_id: int) -> Response:
        return Response(s.TagOutput(selectors.tag_get(owner=request.user, tag_id=tag_id)).data)

    @extend_schema(
        operation_id="tags_rename",
        parameters=[TAG_ID],
        request=s.TagRenameInput,
        responses={200: s.TagOutput, **WRITE_ERRORS},
        description="Rename a tag and its children, rewriting `#old` in the notes. 409 if the name is taken.",
    )
    def patch(self, request: Request, tag_id: int) -> Response:
        tag = selectors.tag_get(owner=request.user, tag_id=tag_id)
        data = body_params(s.TagRenameInput, request, partial=True)
        if "name" in data:  # PATCH {} changes nothing and answers the tag as it is
            tag = services.tag_rename(tag=tag, name=data["name"])
        return Response(s.TagOutput(selectors.tag_get(owner=request.user, tag_id=tag.pk)).data)


class TagMergeApi(JsonApiView):
    @extend_schema(
        operation_id="tags_merge",
        request=s.TagMergeInput,
        responses={200: s.TagOutput, **WRITE_ERRORS},
        description="Fold the source tags (and their children) into the target tag, rewriting the notes.",
    )
    def post(self, request: Request) -> Response:
        data = _input(s.TagMergeInput, request)
        sources = list(selectors.tag_list(owner=request.user).filter(pk__in=data["source_ids"]))
        missing = set(data["source_ids"]) - {tag.pk for tag in sources}
        if missing:
            raise exceptions.NotFound(f"No such tag: {', '.join(str(pk) for pk in sorted(missing))}.")
        target = services.tag_merge(owner=request.user, sources=sources, target_name=data["target"])
        return Response(s.TagOutput(selectors.tag_get(owner=request.user, tag_id=target.pk)).data)


class TrashListApi(JsonApiView):
    @extend_schema(
        operation_id="trash_list",
        parameters=[s.PageQuery],
        responses={200: _page_output("TrashPage", s.TrashItemOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return _page(selectors.trash_list(owner=request.user), query_params(s.PageQuery, request), s.TrashItemOutput)

    @extend_schema(operation_id="trash_empty", responses={200: s.CountOutput, **WRITE_ERRORS})
    def delete(self, request: Request) -> Response:
        return Response({"purged": services.trash_empty(owner=request.user)})


class TrashDetailApi(JsonApiView):
    @extend_schema(
        operation_id="trash_purge",
        parameters=[NOTE_ID],
        responses={204: OpenApiResponse(description="Deleted for good."), **WRITE_ERRORS},
    )
    def delete(self, request: Request, note_id: int) -> Response:
        services.note_purge(note=selectors.trash_get(owner=request.user, note_id=note_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrashRestoreApi(JsonApiView):
    @extend_schema(
        operation_id="trash_restore",
        parameters=[NOTE_ID],
        request=None,
        responses={200: s.NoteOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, note_id: int) -> Response:
        note = services.note_restore(note=selectors.trash_get(owner=request.user, note_id=note_id))
        note = _reload(request.user, note)
        return _with_etag(Response(_note_body(note)), note)


class SearchApi(JsonApiView):
    @extend_schema(
        operation_id="search", parameters=[s.SearchQueryInput], responses={200: s.SearchOutput, **READ_ERRORS}
    )
    def get(self, request: Request) -> Response:
        query = query_params(s.SearchQueryInput, request)
        page, size = query.pop("page"), query.pop("page_size")
        text = query.pop("q")
        result = search.note_search(owner=request.user, query=text, offset=(page - 1) * size, limit=size, **query)
        return Response(
            {
                "count": result.count,
                "count_exact": result.count_exact,
                "page": page,
                "page_size": size,
                "fuzzy": result.fuzzy,
                "results": [
                    {"note": s.NoteListItemOutput(hit.note).data, "score": hit.score, "snippet": hit.snippet}
                    for hit in result.hits
                ],
            }
        )


class GraphApi(JsonApiView):
    @extend_schema(
        operation_id="graph",
        parameters=[s.GraphQuery],
        responses={
            200: s.GraphOutput,
            **READ_ERRORS,
            404: error_response("Not found: the `graph_view` feature flag is off for you."),
        },
    )
    def get(self, request: Request) -> Response:
        require_feature(request, GRAPH_VIEW)
        query = query_params(s.GraphQuery, request)
        page, size = query["page"], query["page_size"]
        graph = selectors.graph(owner=request.user, tag=query.get("tag"), offset=(page - 1) * size, limit=size)
        return Response({"page": page, "page_size": size, **graph})
