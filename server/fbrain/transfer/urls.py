"""Import/export API routes (mounted under /api/v1/)."""

from django.urls import path

from fbrain.transfer import api

urlpatterns = [
    path("imports", api.ImportApi.as_view(), name="imports"),
    path("exports", api.ExportApi.as_view(), name="exports"),
    path("jobs", api.JobListApi.as_view(), name="jobs"),
    path("jobs/<uuid:job_id>", api.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/cancel", api.JobCancelApi.as_view(), name="job-cancel"),
    path("jobs/<uuid:job_id>/download", api.JobDownloadApi.as_view(), name="job-download"),
    path("attachments/<int:attachment_id>/<path:name>", api.AttachmentApi.as_view(), name="attachment"),
]
