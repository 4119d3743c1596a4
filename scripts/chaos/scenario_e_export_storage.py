"""Scenario e: export storage fails (read-only, then full) while an export job runs.

Injected: the export folder is replaced by a read-only tmpfs mount, then by a 64 KiB tmpfs that is already
full. Measured: the job's final status and reason, and that no partial file is left in the folder.
Needs the export job (`POST /api/v1/exports`); without it the scenario is SKIPPED, loudly.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from harness import Result, Stack, run_standalone, say, wait_until

EXPORT_PATHS = ("/api/v1/exports", "/api/v1/exports/")


def _job_path(paths: set[str]) -> str | None:
    for candidate in ("/api/v1/jobs/{id}", "/api/v1/jobs/{id}/", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/"):
        if candidate in paths:
            return candidate.split("{")[0]
    return None


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return result.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _export_dir(stack: Stack) -> Path:
    # Job files (uploads and export results) live under MEDIA_ROOT/jobs/<owner>/<job>/.
    return Path(stack.env["MEDIA_ROOT"]) / "jobs"


def _run_export(stack: Stack, job_base: str) -> tuple[str, str]:
    export = next(p for p in EXPORT_PATHS if p in stack.api_paths())
    status, _, body = stack.request("POST", export, {}, token=stack.token)
    if status not in (200, 201, 202):
        return f"http {status}", body[:200].decode(errors="replace")
    job_id = json.loads(body)["id"]
    final: dict[str, object] = {}

    def finished() -> bool:
        nonlocal final
        _, _, job = stack.get(f"{job_base}{job_id}", token=stack.token)
        final = json.loads(job)
        return str(final.get("status")) in {"succeeded", "failed", "done", "error", "cancelled"}

    wait_until(finished, 20, 0.5)
    reason = final.get("failure_reason") or final.get("errors") or ""
    return str(final.get("status")), json.dumps(reason)[:200]


def run(stack: Stack) -> Result:
    paths = stack.api_paths()
    job_base = _job_path(paths)
    if not any(p in paths for p in EXPORT_PATHS) or job_base is None:
        return Result(
            "e (export storage read-only / full)", False, {}, [], skipped="no export job API in the schema yet"
        )
    problems: list[str] = []
    figures: dict[str, object] = {}
    folder = _export_dir(stack)
    stack.request("POST", "/api/v1/notes/", {"title": "export me", "body": "x " * 5000}, token=stack.token)
    for label, options in (("read-only", "ro,size=1m"), ("full", "size=64k")):
        if not _mount(folder, options):
            return Result("e (export storage read-only / full)", False, {}, [], skipped="cannot mount tmpfs here")
        try:
            if label == "full":
                filler = folder / ".filler"
                subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k", "count=64"], capture_output=True)
            say(f"INJECT: export folder {folder} is now {label}")
            before = {p for p in folder.rglob("*") if p.is_file()}
            status, reason = _run_export(stack, job_base)
            time.sleep(1)
            leftovers = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p not in before)
        finally:
            _umount(folder)
        figures[f"{label}: job status"] = status
        figures[f"{label}: reason"] = reason
        figures[f"{label}: files left behind"] = leftovers
        if status not in {"failed", "error"}:
            problems.append(f"{label}: the job ended {status!r}, expected failed")
        if not reason.strip('"'):
            problems.append(f"{label}: the failed job gives no reason")
        if leftovers:
            problems.append(f"{label}: partial files left: {leftovers}")
    return Result("e (export storage read-only / full)", not problems, figures, problems)


if __name__ == "__main__":
    run_standalone(run)
