"""Browser + real Celery worker: a bookmark turns captured live; an import's progress bar reaches done."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fbrain.bookmarks.tests.fixture_server import FixtureServer


@pytest.fixture
def page_server():
    server = FixtureServer().start()
    yield server
    server.stop()


def test_bookmark_of_a_local_page_turns_captured(signed_in, celery_worker, page_server, settings):
    settings.CAPTURE_ALLOW_HOSTS = ["127.0.0.1/32"]
    page = signed_in
    page.goto("/bookmarks/")
    page.get_by_label("Web address").fill(page_server.url("/page"))
    page.get_by_label("Tags (optional)").fill("reading")
    page.get_by_role("button", name="Add bookmark").click()
    row = page.locator("#bookmarks li").first
    row.get_by_text("Captured").wait_for(timeout=30_000)
    assert row.get_by_role("link", name="The Art of Linking Notes").is_visible()
    assert row.locator(".favicon").inner_text() == "ZW"
    row.get_by_role("link", name="The Art of Linking Notes").click()
    page.get_by_text("Why small linked notes beat big folders.").wait_for()
    page.get_by_role("button", name="Capture again").click()
    page.locator("#bookmark-panel").get_by_text("Captured").wait_for(timeout=30_000)


def _vault(tmp_path: Path) -> Path:
    archive_path = tmp_path / "vault.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for number in range(40):
            archive.writestr(f"vault/Topic {number}.md", f"About [[Topic {(number + 1) % 40}]] #imported/batch")
        archive.writestr("vault/.obsidian/app.json", "{}")
        archive.writestr("vault/Index.md", "---\ntags: [start]\n---\nSee [[Topic 0]] and [[Missing page]].")
    return archive_path


def test_import_a_vault_and_watch_the_progress_bar(signed_in, celery_worker, tmp_path):
    archive = _vault(tmp_path)
    page = signed_in
    page.goto("/transfer/")
    page.get_by_label("Zip archive").set_input_files(str(archive))
    page.get_by_label("Dry run: only show what would happen, change nothing").uncheck()
    page.get_by_label("Import it under a new title").check()
    page.get_by_role("button", name="Start import").click()
    page.locator("#job-status", has_text="Succeeded").wait_for(timeout=60_000)
    assert page.locator("#job-bar").get_attribute("value") == "100"
    assert "create: 41" in page.locator("#job-counts").inner_text()
    page.goto("/notes/?tag=imported")
    page.get_by_text("40 notes").wait_for()
    page.goto("/notes/")
    page.get_by_role("link", name="Index").click()
    page.get_by_role("heading", name="Pending links").wait_for()


def test_dry_run_then_export_download(signed_in, celery_worker, member, tmp_path):
    from fbrain.notes import services

    services.note_create(owner=member, title="Keep me", body="Exported with [[Links]]. #kept")
    archive = _vault(tmp_path)
    page = signed_in
    page.goto("/transfer/")
    page.get_by_label("Zip archive").set_input_files(str(archive))
    page.get_by_role("button", name="Start import").click()
    page.get_by_text("Nothing was changed.").wait_for(timeout=60_000)
    assert page.get_by_role("heading", name="What would happen").is_visible()
    page.goto("/transfer/")
    page.get_by_role("button", name="Start export").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Download the export").click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as exported:
        names = exported.namelist()
        keep = next(name for name in names if name.endswith("Keep me.md"))
        assert "[[Links]]" in exported.read(keep).decode()
