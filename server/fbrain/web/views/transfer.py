"""Import and export pages: upload a zip (dry run, conflict policy), follow a job's progress, see its report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fbrain.core.errors import DomainError
from fbrain.transfer import selectors, services
from fbrain.transfer.models import Job
from fbrain.web.forms import ImportForm, add_domain_error

RECENT_JOBS = 20
REPORT_SHOWN = 500
# htmx stops polling when a reply has this status (https://htmx.org/docs/#polling).
STOP_POLLING = 286


def _render(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    jobs = selectors.job_list(owner=request.user)[:RECENT_JOBS]
    return render(request, "web/transfer/index.html", {"form": form, "jobs": jobs}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_index(request: HttpRequest) -> HttpResponse:
    """GET shows the import form, the export button and recent jobs; POST starts an import."""
    if request.method == "GET":
        return _render(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.import_create(
                owner=request.user,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                conflict=form.cleaned_data["conflict"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("web:job", job.pk)
    return _render(request, form, status=400)


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    job = services.export_create(owner=request.user)
    return redirect("web:job", job.pk)


def _job_context(job: Job) -> dict[str, object]:
    percent = 100 if job.is_finished else (int(100 * job.processed / job.total) if job.total else 0)
    return {
        "job": job,
        "percent": percent,
        "report": job.report[:REPORT_SHOWN],
        "report_cut": len(job.report) > REPORT_SHOWN,
    }


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_get(owner=request.user, job_id=job_id)
    return render(request, "web/transfer/job.html", _job_context(job))


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress block, polled every second by htmx; a finished job answers 286 so the polling stops."""
    job = selectors.job_get(owner=request.user, job_id=job_id)
    status = STOP_POLLING if job.is_finished else 200
    return render(request, "web/transfer/_progress.html", _job_context(job), status=status)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_get(owner=request.user, job_id=job_id)
    try:
        services.job_cancel(job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Cancelling: files already imported stay imported.")
    return redirect("web:job", job.pk)
