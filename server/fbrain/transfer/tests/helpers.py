"""Build vault archives for tests."""

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from fbrain.notes.models import Note
from fbrain.notes.services import note_create


def zip_bytes(files: Mapping[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def upload(files: Mapping[str, bytes | str], name: str = "vault.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes(files), content_type="application/zip")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

VAULT: dict[str, bytes | str] = {
    "My Vault/Welcome.md": "---\naliases: [Start]\ntags: [intro]\ncreated: 2023-01-02T03:04:05Z\n---\n"
    "Hello, see [[Projects/Alpha]] and [[missing page]]. #greeting\n![[logo.png]]",
    "My Vault/Projects/Alpha.md": "Alpha links back to [[start]] and [[Beta|the beta]].\n"
    "![diagram](../assets/d%201.png)",
    "My Vault/Projects/Beta.md": "---\ntitle: Beta Project\n---\nBeta. `[[not a link]]`",
    "My Vault/assets/logo.png": PNG,
    "My Vault/assets/d 1.png": PNG,
    "My Vault/.obsidian/workspace.json": "{}",
    "My Vault/broken.md": b"\xff\xfe not utf-8 \xff",
}


def make_note(*, owner: Any, title: str, body: str = "", tags: list[str] | None = None) -> Note:
    return note_create(owner=owner, title=title, body=body, tags=tags)


def make_user(username: str) -> User:
    return User.objects.create_user(username=username, password="correct-horse-battery")
