"""REST API of the knowledge base: each view parses input, calls one service or selector, shapes the output."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fbrain.core import conditional
from fbrain.core.errors import PreconditionFailed, ValidationFailed
from fbrain.core.parsers import DepthLimitedJSONParser
from fbrain.core.schema import ERROR_RESPONSES, error_response
from fbrain.core.validation import StrictCursorPagination, body_params, cursor_page, query_params
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
    description='The ETag you read (or `"<version>"`). If the note has changed since, the write is refused with 412.',
    pattern=r'^[ \t]*(\*|(W/)?"?[0-9]{1,18}(-[0-9]{1,20})?"?)?[ \t]*$',
)
READ_ERRORS = {code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 405, 406, 429)}
WRITE_ERRORS = {
    **ERROR_RESPONSES,
    409: error_response("Conflict: a note with this title exists, or the `version` you sent is stale."),
    412: error_response("Precondition failed: the `If-Match` version is stale."),
}
# ASCII only, and the same rule as IF_MATCH_PATTERN in the schema (schemathesis holds them to each other).
_ETAG_RE = re.compile(r'^[ \t]*(?:W/)?"?([0-9]{1,18})(?:-[0-9]{1,20})?"?[ \t]*$')
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="An ETag you hold: 304 (no body) while it is current.",
)
IF_MODIFIED_SINCE = OpenApiParameter(
    "If-Modified-Since",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A Last-Modified you hold (HTTP date): 304 while nothing changed since; ignored with If-None-Match.",
)
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: the ETag / date you sent is current.")}


def _input(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    return body_params(serializer_class, request)


def _if_match(request: Request) -> int | None:
    """The version named by If-Match (an ETag we sent, or `"<version>"`); None when absent, blank or `*`.

    Anything else is a 400 naming the header: a typo must not pass as "no precondition" nor as a stale one.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip(" \t") in ("", "*"):
        return None
    match = _ETAG_RE.match(header)
    if match is None:
        raise ValidationFailed(
            "If-Match is not an ETag of this API.",
            fields={"If-Match": ['Expected an ETag you read, e.g. "3-1733332800123456", or "3".']},
        )
    return int(match.group(1))


def _with_etag(response: Response, note: Note) -> Response:
    response["ETag"] = note.etag
    return response


def _list_etag(request: Request, serial: int, changed_at: Any) -> str:
    """A strong ETag of this list answer: the owner's content stamp and everything the answer depends on.

    `next` links are absolute (scheme and host) and the renderer is negotiated, so they count too.
    """
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    stamp = changed_at.isoformat() if changed_at else ""
    key = f"{request.user.pk}|{serial}|{stamp}|{request.scheme}://{host}{request.get_full_path()}|"
    key += str(request.accepted_media_type)
    return '"l' + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + '"'


def _note_body(note: Note) -> dict[str, Any]:
    return dict(s.NoteOutput(note).data)


def _reload(owner: Any, note: Note) -> Note:
    return selectors.note_get(owner=owner, note_id=note.pk)


def _cursor_page(
    request: Request,
    view: APIView,
    items: QuerySet[Any],
    serializer_class: type[serializers.Serializer],
    ordering: tuple[str, str],
) -> Response:
    """One cursor page of `items` in `ordering` (a field and the tie-breaker), as every list but search answers."""
    query = query_params(s.CursorListQuery, request)
    paginator = ListPagination(ordering, page_size=query["page_size"])
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class JsonApiView(APIView):
    """Every knowledge-base endpoint takes JSON bodies only (one documented request type)."""

    parser_classes = [DepthLimitedJSONParser]


class ListPagination(StrictCursorPagination):
    """Cursor pages over a given ordering (its last field the unique tie-breaker): stable while rows are added."""

    page_size_query_param = "page_size"
    max_page_size = s.MAX_PAGE_SIZE

    def __init__(self, ordering: tuple[str, str], page_size: int = 20) -> None:
        self.ordering = ordering
        self.page_size = page_size


class NoteListApi(JsonApiView):
    max_body_setting = "DATA_UPLOAD_MAX_MEMORY_SIZE"  # a note body of 1 MiB, escapes and all
    """List (cursor-paginated, filtered) and create notes."""

    @extend_schema(
        operation_id="notes_list",
        parameters=[s.NoteListQuery, IF_NONE_MATCH, IF_MODIFIED_SINCE],
        responses={
            200: inline_serializer(
                "NotePage",
                {
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": s.NoteListItemOutput(many=True),
                },
            ),
            **NOT_MODIFIED,
            **READ_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        query = query_params(s.NoteListQuery, request)
        # The validator is read before the rows: a write committing in between leaves the client an older
        # ETag with newer rows (its next request gets them again), never a 304 for rows it has not seen.
        serial, changed_at = selectors.content_state(owner=request.user)
        etag = _list_etag(request, serial, changed_at)
        if conditional.is_not_modified(request, etag=etag, changed_at=changed_at):
            return conditional.not_modified(etag=etag, changed_at=changed_at)
        rows = selectors.note_rows(
            owner=request.user,
            tag=query.get("tag"),
            kind=query.get("kind"),
            pinned=query["pinned"],
            archived=query["archived"],
            updated_since=query.get("updated_since"),
        )
        ordering = query["ordering"]
        paginator = ListPagination((ordering, "-id" if ordering.startswith("-") else "id"))
        page = selectors.attach_tag_names(paginator.paginate_queryset(rows, request, view=self) or [])
        response = paginator.get_paginated_response([s.note_list_item(row) for row in page])
        return conditional.with_validators(response, etag=etag, changed_at=changed_at)

    @extend_schema(
        operation_id="notes_create", request=s.NoteCreateInput, responses={201: s.NoteOutput, **WRITE_ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = _input(s.NoteCreateInput, request)
        note = services.note_create(owner=request.user, **data)
        note = _reload(request.user, note)
        response = Response(_note_body(note), status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-v1:note-detail", args=[note.pk])
        return _with_etag(response, note)


class NoteDetailApi(JsonApiView):
    max_body_setting = "DATA_UPLOAD_MAX_MEMORY_SIZE"  # a note body of 1 MiB, escapes and all
    """Read, replace, change or trash one note; writes honour `If-Match` (412) and `version` (409)."""

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

    @extend_schema(
        operation_id="notes_retrieve",
        parameters=[NOTE_ID, IF_NONE_MATCH, IF_MODIFIED_SINCE],
        responses={200: s.NoteOutput, **NOT_MODIFIED, **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
            found = selectors.note_validator(owner=request.user, note_id=note_id)
            etag = Note.etag_for(found["version"], found["updated_at"])
            if conditional.is_not_modified(request, etag=etag, changed_at=found["changed_at"]):
                return conditional.not_modified(etag=etag, changed_at=found["changed_at"])
        # The validators come from the same statement as the body: they describe exactly what is sent.
        row = selectors.note_data(owner=request.user, note_id=note_id)
        etag = Note.etag_for(row["version"], row["updated_at"])
        return conditional.with_validators(Response(s.note_detail(row)), etag=etag, changed_at=row["changed_at"])

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
        parameters=[NOTE_ID, s.CursorListQuery],
        responses={200: cursor_page("BacklinkPage", s.BacklinkOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        links = selectors.backlinks(owner=request.user, note=note)
        return _cursor_page(request, self, links, s.BacklinkOutput, ("-source_updated_at", "-id"))


class LinksApi(JsonApiView):
    @extend_schema(
        operation_id="notes_links",
        parameters=[NOTE_ID, s.CursorListQuery],
        responses={200: cursor_page("LinkPage", s.LinkOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        links = selectors.outgoing_links(owner=request.user, note=note)
        return _cursor_page(request, self, links, s.LinkOutput, ("target_key", "id"))


class RevisionListApi(JsonApiView):
    @extend_schema(
        operation_id="notes_revisions_list",
        parameters=[NOTE_ID, s.CursorListQuery],
        responses={200: cursor_page("RevisionPage", s.RevisionOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.note_get(owner=request.user, note_id=note_id)
        revisions = selectors.revision_list(owner=request.user, note=note)
        return _cursor_page(request, self, revisions, s.RevisionOutput, ("-version", "-id"))


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
        responses={200: cursor_page("TagPage", s.TagOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = query_params(s.TagListQuery, request)
        tags = selectors.tag_list(owner=request.user, prefix=query.get("prefix"))
        return _cursor_page(request, self, tags, s.TagOutput, ("key", "id"))


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
        parameters=[s.CursorListQuery],
        responses={200: cursor_page("TrashPage", s.TrashItemOutput(many=True)), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return _cursor_page(
            request, self, selectors.trash_list(owner=request.user), s.TrashItemOutput, ("-deleted_at", "-id")
        )

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
