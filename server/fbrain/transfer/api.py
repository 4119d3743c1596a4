"""Import/export API: start jobs, follow and cancel them, download exports and attachments (owner only)."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fbrain.core.errors import NotFound, PayloadTooLarge
from fbrain.core.schema import ERROR_RESPONSES, error_response
from fbrain.core.validation import CursorQuery, NewestFirstPagination, cursor_page, form_params, query_params
from fbrain.transfer import selectors, services
from fbrain.transfer.models import Job

# Multipart framing around the zip: a request this much over the limit cannot hold an acceptable file.
_MULTIPART_SLACK = 64 * 1024


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A zip of a Markdown folder or an Obsidian vault (at most 100 MiB).")
    dry_run = serializers.BooleanField(default=False, help_text="Report what would happen; write nothing.")
    conflict = serializers.ChoiceField(
        choices=Job.Conflict.choices, default=Job.Conflict.SKIP, help_text="When a note with the title exists."
    )
    folder_tags = serializers.BooleanField(
        default=False, help_text="Keep folders as tags (`Projects/Alpha`) instead of a `folder:` property."
    )


class ProgressOutput(serializers.Serializer):
    processed = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class JobOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Job.Kind.choices)
    status = serializers.ChoiceField(choices=Job.Status.choices)
    dry_run = serializers.BooleanField()
    conflict = serializers.ChoiceField(choices=Job.Conflict.choices)
    folder_tags = serializers.BooleanField()
    progress = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.IntegerField())
    failure_reason = serializers.CharField()
    cancel_requested = serializers.BooleanField()
    download_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()

    @extend_schema_field(ProgressOutput)
    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared here: a class attribute named `errors` would shadow Serializer.errors.
        fields = super().get_fields()
        fields["errors"] = serializers.ListField(
            child=serializers.DictField(child=serializers.CharField()), help_text="Per file: path and message."
        )
        return fields

    def get_progress(self, job: Job) -> dict[str, int]:
        percent = 100 if job.is_finished and job.status == Job.Status.SUCCEEDED else 0
        if job.total:
            percent = int(job.processed * 100 / job.total)
        return {"processed": job.processed, "total": job.total, "percent": percent}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, job: Job) -> str | None:
        if job.kind == Job.Kind.EXPORT and job.result and job.files_deleted_at is None:
            return f"/api/v1/jobs/{job.pk}/download"
        return None


class JobDetailOutput(JobOutput):
    report = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Per file: path, action (create, skip, rename, overwrite, error) and title.",
    )


class JobListQuery(CursorQuery):
    kind = serializers.ChoiceField(choices=Job.Kind.choices, required=False)


def _accepted(job: Job) -> Response:
    response = Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = f"/api/v1/jobs/{job.pk}"
    return response


class ImportApi(APIView):
    max_body_setting = None  # the archive's own limit, IMPORT_MAX_UPLOAD_MB, applies (checked below)
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="imports_create",
        request={"multipart/form-data": ImportInput},
        responses={202: JobOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if declared.isdigit() and int(declared) > limit + _MULTIPART_SLACK:
            raise PayloadTooLarge(f"The archive is larger than {limit // (1024 * 1024)} MiB.")
        values = form_params(ImportInput, request)
        job = services.import_create(
            owner=request.user,
            upload=values["file"],
            dry_run=values["dry_run"],
            conflict=values["conflict"],
            folder_tags=values["folder_tags"],
        )
        return _accepted(job)


class ExportApi(APIView):
    @extend_schema(operation_id="exports_create", request=None, responses={202: JobOutput, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        return _accepted(services.export_create(owner=request.user))


class JobListApi(APIView):
    @extend_schema(
        operation_id="jobs_list",
        parameters=[JobListQuery],
        responses={200: cursor_page("JobPage", JobOutput(many=True)), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        kind = query_params(JobListQuery, request).get("kind")
        paginator = NewestFirstPagination()
        page = paginator.paginate_queryset(selectors.job_list(owner=request.user, kind=kind), request, view=self)
        return paginator.get_paginated_response(JobOutput(page, many=True).data)


class JobDetailApi(APIView):
    @extend_schema(operation_id="jobs_retrieve", responses={200: JobDetailOutput, **ERROR_RESPONSES})
    def get(self, request: Request, job_id: str) -> Response:
        return Response(JobDetailOutput(selectors.job_get(owner=request.user, job_id=job_id)).data)


class JobCancelApi(APIView):
    @extend_schema(
        operation_id="jobs_cancel",
        request=None,
        responses={202: JobOutput, 409: error_response("The job has already finished."), **ERROR_RESPONSES},
    )
    def post(self, request: Request, job_id: str) -> Response:
        job = services.job_cancel(job=selectors.job_get(owner=request.user, job_id=job_id))
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class JobDownloadApi(APIView):
    @extend_schema(
        operation_id="jobs_download",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The export archive."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request, job_id: str) -> FileResponse:
        job = selectors.job_get(owner=request.user, job_id=job_id)
        if job.kind != Job.Kind.EXPORT or not job.result or job.files_deleted_at is not None:
            raise NotFound("This job has no file to download (not an export, not finished, or expired).")
        return FileResponse(
            job.result.open("rb"), as_attachment=True, filename=(job.result.name or "export.zip").rsplit("/", 1)[-1]
        )


# The types an attachment is served as (the schema lists them); any other stored type is served as a download.
SERVED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/svg+xml",
    "application/pdf",
    "text/plain",
    "application/octet-stream",
)


class AttachmentApi(APIView):
    @extend_schema(
        operation_id="attachments_retrieve",
        responses={
            **{(200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file.") for media in SERVED_TYPES},
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request, attachment_id: int, name: str) -> FileResponse:
        attachment = selectors.attachment_get(owner=request.user, attachment_id=attachment_id)
        try:
            handle = attachment.file.open("rb")
        except OSError:
            raise NotFound("The attachment file is missing.") from None
        served = attachment.content_type if attachment.content_type in SERVED_TYPES else "application/octet-stream"
        response = FileResponse(handle, content_type=served, filename=attachment.name)
        # Served from our origin: never let a browser run an uploaded file as a page.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        return response
