"""Writes of import/export: job life cycle, the import run and the export run."""

from fbrain.transfer.services.exports import export_run
from fbrain.transfer.services.imports import import_run
from fbrain.transfer.services.jobs import (
    export_create,
    import_create,
    job_cancel,
    jobs_expire_files,
    jobs_recover_stalled,
)

__all__ = [
    "export_create",
    "export_run",
    "import_create",
    "import_run",
    "job_cancel",
    "jobs_expire_files",
    "jobs_recover_stalled",
]
