"""Imports larger than one batch: links across batches resolve, search and tags work, queries grow per batch."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fbrain.notes.models import Link, Note
from fbrain.notes.search import note_search
from fbrain.transfer import services
from fbrain.transfer.models import JobItem
from fbrain.transfer.services.imports import BATCH_SIZE
from fbrain.transfer.tests.helpers import make_note, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def vault(count: int) -> dict[str, str]:
    # Each note links to one half a vault away: a later batch for the first half, an earlier one for the rest.
    return {
        f"Vault/Area {i % 3}/Note {i}.md": f"---\ntags: [area{i % 3}]\naliases: [n{i}]\n---\n"
        f"Links [[Note {(i + count // 2) % count}]], [[n{(i + 1) % count}|next]] and [[Missing]]. word{i} #t{i % 4}"
        for i in range(count)
    }


def run(user, files, **options):
    job = services.import_create(owner=user, upload=upload(files), **options)
    with CaptureQueriesContext(connection) as queries:
        assert services.import_run(job_id=str(job.pk)) == "succeeded"
    job.refresh_from_db()
    return job, len(queries)


def test_an_import_of_several_batches_resolves_links_across_them(user):
    count = 2 * BATCH_SIZE + 10
    make_note(owner=user, title="Older", body="waits for [[Note 3]]")
    job, _ = run(user, vault(count))
    assert job.counts["create"] == count
    assert job.counts["pending_links"] == count
    assert JobItem.objects.filter(job=job, note__isnull=False).count() == count
    links = Link.objects.filter(owner=user)
    assert links.filter(target__isnull=True).exclude(target_title="Missing").count() == 0
    note = Note.objects.get(owner=user, title="Note 5")
    assert sorted(Link.objects.filter(source=note, target__isnull=False).values_list("target__title", flat=True)) == [
        f"Note {5 + count // 2}",
        "Note 6",
    ]
    assert (
        Link.objects.filter(source__title="Older", source__owner=user).values_list("target__title", flat=True)[0]
        == "Note 3"
    )
    assert sorted(note.note_tags.values_list("tag__name", flat=True)) == ["area2", "t1"]
    if connection.vendor == "postgresql":
        assert [hit.note.title for hit in note_search(owner=user, query=f"word{count - 1}").hits] == [
            f"Note {count - 1}"
        ]


def test_import_queries_grow_per_batch_not_per_note(user, django_user_model):
    _, one_batch = run(user, vault(BATCH_SIZE))
    other = django_user_model.objects.create_user(username="other", password="x")
    _, three_batches = run(other, vault(3 * BATCH_SIZE))
    # Per batch: its transaction, ~16 statements of notes_bulk_create (the content stamp included), the JobItems,
    # and at most one progress write (2 queries, when a second has passed). A per-note path would add thousands
    # here. SQLite binds at most 999 parameters per statement, so Django splits each bulk INSERT into a few.
    per_batch = 22 if connection.vendor == "postgresql" else 31
    assert one_batch <= 41 + per_batch - 22
    assert three_batches - one_batch <= 2 * per_batch


def test_a_batch_with_skips_and_refused_notes_writes_the_rest(user):
    make_note(owner=user, title="Note 1", body="mine")
    files = vault(6)
    files["Vault/bad.md"] = os.urandom(524_289).hex()
    job, _ = run(user, files, conflict="skip")
    assert (job.counts["create"], job.counts["skip"], job.counts["error"]) == (5, 1, 1)
    assert job.errors[0]["path"] == "bad.md"
    assert Note.objects.get(owner=user, title="Note 1").body == "mine"
    assert JobItem.objects.filter(job=job).count() == 7


def test_titles_only_the_database_finds_equal_fall_back_to_one_by_one(user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT lower(%s) = lower(%s)", ["İx", "ix"])
        if not cursor.fetchone()[0]:
            pytest.skip("this database's lower() keeps İ apart from i")
    # Python lowers İ to i + a combining dot, the database to i: the batch's insert hits the unique title.
    job, _ = run(user, {"ix.md": "first", "İx.md": "second", "other.md": "third"})
    assert (job.counts["create"], job.counts["error"]) == (2, 1)
    assert job.errors == [{"path": "İx.md", "message": "A note titled 'İx' already exists."}]
    assert sorted(Note.objects.filter(owner=user).values_list("title", flat=True)) == ["ix", "other"]
    assert JobItem.objects.filter(job=job).count() == 3


def test_batches_skip_the_wait_for_the_disk_on_postgres_only(user):
    # A named Postgres-only optimisation (imports._no_wait_for_flush); SQLite imports the same way without it.
    job = services.import_create(owner=user, upload=upload(vault(3)))
    with CaptureQueriesContext(connection) as queries:
        assert services.import_run(job_id=str(job.pk)) == "succeeded"
    relaxed = [query["sql"] for query in queries if "synchronous_commit" in query["sql"]]
    assert relaxed == (["SET LOCAL synchronous_commit = off"] if connection.vendor == "postgresql" else [])
    assert Note.objects.filter(owner=user).count() == 3
