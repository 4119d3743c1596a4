"""Backups are proven by restoring them: scripts/backup.sh, then scripts/restore.sh into a fresh database.

Notes, links, tags and attachments (rows and files) must match exactly, by count and checksum; so must
every other table. The restore refuses a database or media folder that is not empty.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from fbrain.core.tests.factories import UserFactory
from fbrain.notes.services import note_create, note_delete
from fbrain.transfer.models import Attachment

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only("backups are pg_dump/pg_restore of the Postgres database (docs/backup.md)"),
]

REPO = Path(__file__).resolve().parents[4]
BACKUP = REPO / "scripts" / "backup.sh"
RESTORE = REPO / "scripts" / "restore.sh"
# The tables the issue names, then every table: a backup that drops anything fails here.
NAMED_TABLES = ("notes_note", "notes_link", "notes_tag", "notes_notetag", "transfer_attachment")


def _dsn(name: str) -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{params['USER']}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A fresh, empty database on the same server; dropped afterwards (only the one made here)."""
    if connection.vendor != "postgresql" or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL and pg_dump/pg_restore (postgresql-client)")
    name = f"fbrain_bk_dst_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(_dsn(connection.settings_dict["NAME"]))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _dsn(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _table_fingerprints(dsn: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every row's text, for every public table."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        result = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM \"{table}\" t"  # noqa: S608 - names from pg_tables
            )
            count, digest = cursor.fetchone()
            result[table] = (int(count), str(digest))
    conn.close()
    return result


def _file_checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def vault(settings, tmp_path):
    """Two users' notes that link each other, pending links, tags, a trashed note and attachments."""
    settings.MEDIA_ROOT = tmp_path / "media"
    alice: Any = UserFactory()
    bob: Any = UserFactory()
    note_create(owner=alice, title="Café", body="Links to [[Ideas]] and [[Not yet]] #project/alpha #idées")
    note_create(owner=alice, title="Ideas", body="Back to [[Café|the café]]\n```\n#not-a-tag\n```\n#project")
    trashed = note_create(owner=alice, title="Old", body="gone soon [[Ideas#Heading]]")
    note_delete(note=trashed)
    note_create(owner=bob, title="Ideas", body="Bob's own ![[diagram.png]] #private", tags=["bob-only"])
    for owner, name, content in (
        (alice, "diagram.png", b"\x89PNG\r\n\x1a\n" + os.urandom(2048)),
        (bob, "a.pdf", b"%PDF"),
    ):
        attachment = Attachment(owner=owner, name=name, size=len(content), content_type="application/octet-stream")
        attachment.file.save(name, ContentFile(content), save=True)
    return settings.MEDIA_ROOT


def test_backup_restores_into_a_fresh_database_identically(vault, empty_database, tmp_path):
    source = _dsn(connection.settings_dict["NAME"])
    backups, restored_media, metrics = tmp_path / "backups", tmp_path / "restored-media", tmp_path / "backup.prom"
    env = {
        **os.environ,
        "DATABASE_URL": source,
        "MEDIA_ROOT": str(vault),
        "BACKUP_DIR": str(backups),
        "BACKUP_METRICS_FILE": str(metrics),
        "REDIS_URL": "",
    }
    started = time.time()

    made = _run(BACKUP, env=env)

    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    assert folder.name.startswith("fbrain-") and not folder.name.endswith(".partial")
    assert {p.name for p in folder.iterdir()} == {"db.dump", "media.tar.gz", "manifest.json", "SHA256SUMS"}
    value = float(metrics.read_text().split()[-1])
    assert started - 1 <= value <= time.time() + 1

    restored = _run(
        RESTORE, str(folder), env={**env, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media)}
    )

    assert restored.returncode == 0, restored.stderr
    before, after = _table_fingerprints(source), _table_fingerprints(empty_database)
    for table in NAMED_TABLES:
        assert table in before, f"{table} is not a table any more: update NAMED_TABLES"
        assert before[table][0] > 0, f"the test vault has no rows in {table}"
    assert after == before
    assert _file_checksums(restored_media) == _file_checksums(vault)
    assert len(_file_checksums(vault)) == 2


def test_restore_refuses_a_database_that_is_not_empty(vault, tmp_path):
    if shutil.which("pg_dump") is None or connection.vendor != "postgresql":
        pytest.skip("needs pg_dump")
    source = _dsn(connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(vault), "BACKUP_DIR": str(tmp_path / "b")}
    folder = Path(_run(BACKUP, env=env).stdout.strip().splitlines()[-1])
    notes_before = _table_fingerprints(source)["notes_note"]

    refused = _run(RESTORE, str(folder), env={**env, "MEDIA_ROOT": str(tmp_path / "new-media")})

    assert refused.returncode == 3
    assert "not empty" in refused.stderr
    assert _table_fingerprints(source)["notes_note"] == notes_before


def test_restore_refuses_a_tampered_backup(vault, empty_database, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _dsn(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(vault),
        "BACKUP_DIR": str(tmp_path / "b"),
    }
    folder = Path(_run(BACKUP, env=env).stdout.strip().splitlines()[-1])
    with (folder / "media.tar.gz").open("ab") as handle:
        handle.write(b"tampered")

    refused = _run(RESTORE, str(folder), env={**env, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(tmp_path / "m")})

    assert refused.returncode == 4
    assert _table_fingerprints(empty_database) == {}


def test_backup_prunes_only_old_complete_backups(tmp_path):
    if shutil.which("pg_dump") is None or connection.vendor != "postgresql":
        pytest.skip("needs pg_dump")
    backups = tmp_path / "backups"
    old, recent, foreign = backups / "fbrain-20000101T000000Z", backups / "fbrain-20990101T000000Z", backups / "keep-me"
    for folder in (old, recent, foreign):
        folder.mkdir(parents=True)
    past = time.time() - 30 * 86400
    os.utime(old, (past, past))
    os.utime(foreign, (past, past))
    env = {
        **os.environ,
        "DATABASE_URL": _dsn(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(tmp_path / "no-media"),
        "BACKUP_DIR": str(backups),
        "BACKUP_RETENTION_DAYS": "14",
    }

    made = _run(BACKUP, env=env)

    assert made.returncode == 0, made.stderr
    assert not old.exists()
    assert recent.exists() and foreign.exists()
    assert "pruned" in made.stderr


def test_backup_without_database_url_fails_and_writes_nothing(tmp_path):
    env = {**os.environ, "DATABASE_URL": "", "BACKUP_DIR": str(tmp_path / "b")}
    env.pop("DATABASE_URL_FILE", None)

    failed = _run(BACKUP, env=env)

    assert failed.returncode == 2
    assert "DATABASE_URL" in failed.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("redis_cli", ["redis-cli", "/nonexistent/redis-cli"], ids=["redis-cli", "bash-resp"])
def test_backup_records_its_success_time_in_redis(redis_server, tmp_path, redis_cli):
    import redis

    if shutil.which("pg_dump") is None or connection.vendor != "postgresql":
        pytest.skip("needs pg_dump")
    env = {
        **os.environ,
        "DATABASE_URL": _dsn(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(tmp_path / "no-media"),
        "BACKUP_DIR": str(tmp_path / "b"),
        "REDIS_URL": redis_server.url.replace("/0", "/3"),
        "REDIS_CLI": redis_cli,
        "CACHE_KEY_PREFIX": "backup-test",
    }
    started = time.time()

    made = _run(BACKUP, env=env)

    assert made.returncode == 0, made.stderr
    assert "WARNING" not in made.stderr
    stored = redis.Redis.from_url(env["REDIS_URL"]).hget("backup-test:metrics:last_success", "backup")
    assert stored is not None
    assert started - 1 <= float(stored) <= time.time() + 1


def test_verify_backup_restores_into_a_scratch_database_and_drops_it(vault, tmp_path):
    if shutil.which("pg_dump") is None or connection.vendor != "postgresql":
        pytest.skip("needs pg_dump")
    env = {
        **os.environ,
        "DATABASE_URL": _dsn(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(vault),
        "BACKUP_DIR": str(tmp_path / "b"),
    }
    folder = Path(_run(BACKUP, env=env).stdout.strip().splitlines()[-1])

    verified = _run(
        REPO / "scripts" / "verify-backup.sh", str(folder), env={**env, "ADMIN_DATABASE_URL": _dsn("postgres")}
    )

    assert verified.returncode == 0, verified.stderr
    assert "4 notes" in verified.stdout and "2 attachments (0 files missing)" in verified.stdout
    scratch = verified.stdout.split("scratch database ")[1].split()[0]
    assert scratch.startswith("fbrain_verify_")
    with psycopg2.connect(_dsn("postgres")) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        leftovers = cursor.fetchone()
    conn.close()
    assert leftovers == (0,)
