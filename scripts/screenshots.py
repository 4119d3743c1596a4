#!/usr/bin/env python3
"""Regenerate docs/screenshots/: the main pages, light and dark, desktop and phone width.

    .venv/bin/python scripts/screenshots.py            # needs /usr/bin/chromium (apt-get install chromium)

Runs the site in its embedded mode (SQLite in a temporary DATA_DIR, no Redis), fills it with a small demo
vault, starts `manage.py runserver` on a free port and drives Debian's headless Chromium with Playwright.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "server"
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("FBRAIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEVICES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
SCHEMES = ("light", "dark")

NOTES = {
    "Second brain": "A place for every idea. Start from [[Reading list]], [[Zettelkasten]] and "
    "[[Garden plan]].\n\n- [x] Import the old vault\n- [ ] Link the meeting notes\n\n#meta",
    "Zettelkasten": "One idea per note; **links** say how ideas relate. See [[Second brain]] and "
    "[[Luhmann]].\n\n> A note is only as useful as its links.\n\n#method #reading/books",
    "Reading list": "| Book | Status |\n|---|---|\n| How to Take Smart Notes | read |\n| Building a Second Brain |"
    " reading |\n\nNotes on method go to [[Zettelkasten]]. #reading",
    "Garden plan": "Tomatoes on the balcony, herbs by the window. Seeds arrive in March; compare with "
    "[[Garden log 2025]]. #garden/balcony",
    "Meeting notes": "Agreed to move the wiki into F_BRAIN. Follow-up in [[Project Atlas]]. #work/atlas",
    "Project Atlas": "Map every service and its owner. Draft in [[Meeting notes]]; method from "
    "[[Zettelkasten]].\n\n```python\nservices = load('atlas.yaml')\n```\n#work/atlas",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed() -> str:
    """Demo data for user `demo`; returns a session key for the browser."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from fbrain.bookmarks.models import Bookmark
    from fbrain.bookmarks.services import bookmark_create
    from fbrain.core.tests.factories import UserFactory
    from fbrain.notes import services
    from fbrain.transfer.services import import_create, import_run

    call_command("migrate", verbosity=0)
    user = UserFactory(username="demo", email="demo@example.test")
    created = {title: services.note_create(owner=user, title=title, body=body) for title, body in NOTES.items()}
    services.note_update(note=created["Second brain"], pinned=True)
    services.note_update(note=created["Garden plan"], body=NOTES["Garden plan"] + "\n\nWater every evening.")
    for title in ("Luhmann", "Garden log 2025"):
        services.note_create(owner=user, title=f"{title} ideas", body=f"Waiting for [[{title}]]. #someday")
    pages = [
        ("https://zettelweekly.example/linking", "The Art of Linking Notes", "Zettel Weekly", "captured"),
        ("https://docs.example.org/search", "Full-text search in Postgres", "Example Docs", "captured"),
        ("https://blog.example.net/gardens", "", "", "failed"),
        ("https://news.example.com/today", "", "", "pending"),
    ]
    for url, title, site, status in pages:
        bookmark = bookmark_create(owner=user, url=url, tags=["reading"]).bookmark
        fields = {
            "status": status,
            "site_name": site,
            "description": f"{title}: a page worth keeping." if title else "",
        }
        if status == "failed":
            fields["failure_reason"] = "The server answered 404 Not Found."
        Bookmark.objects.filter(pk=bookmark.pk).update(**fields)
        if title:
            services.note_update(note=bookmark.note, title=title)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(12):
            archive.writestr(f"vault/Daily/2025-01-{number + 1:02d}.md", "Met [[Project Atlas]] team. #daily")
        archive.writestr("vault/Zettelkasten.md", "Same title as an existing note.")
    job = import_create(
        owner=user, upload=SimpleUploadedFile("vault.zip", buffer.getvalue()), dry_run=True, conflict="rename"
    )
    import_run(job_id=str(job.pk))
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value, str(job.pk), created["Zettelkasten"].pk


def main() -> int:
    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="fbrain-shots-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATA_DIR": str(data_dir),
        "DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "warning",
        "APP_VERSION": "demo",
        "GIT_REVISION": "screenshots",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(SERVER))
    os.chdir(SERVER)
    session, job_id, note_id = seed()

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    pages = [
        ("signin", "/accounts/login/", False),
        ("home", "/", True),
        ("notes", "/notes/", True),
        ("note", f"/notes/{note_id}/", True),
        ("editor", f"/notes/{note_id}/edit/", True),
        ("search", "/search/?q=note", True),
        ("bookmarks", "/bookmarks/", True),
        ("graph", "/graph/", True),
        ("import", f"/transfer/jobs/{job_id}/", True),
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in SCHEMES:
                for device, viewport in DEVICES.items():
                    context = browser.new_context(base_url=base, viewport=viewport, color_scheme=scheme)
                    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
                    page = context.new_page()
                    for name, path, signed_in in pages:
                        if not signed_in:
                            anonymous = browser.new_context(base_url=base, viewport=viewport, color_scheme=scheme)
                            target = anonymous.new_page()
                        else:
                            target = page
                        target.goto(path)
                        if name == "graph":
                            target.wait_for_selector("#graph[data-ready=true]", timeout=30_000)
                        if name == "editor":
                            target.wait_for_selector("#preview h1, #preview p:not(.muted)", timeout=10_000)
                        target.wait_for_timeout(150)
                        target.screenshot(path=str(OUT / f"{name}-{scheme}-{device}.png"))
                        if not signed_in:
                            anonymous.close()
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
