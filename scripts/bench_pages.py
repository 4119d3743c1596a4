#!/usr/bin/env python3
"""Server render time of the main pages for an account with 10 000 notes (issue 5: < 200 ms).

Usage (a scratch Postgres database; the script migrates it and keeps its bench user for the next run):
    createdb -h 127.0.0.1 -U postgres fbrain_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fbrain_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python scripts/bench_pages.py [--notes 10000] [--runs 20]

It bulk-loads notes with tags, links and search vectors, then times each page through Django's test client
(the whole server side: middleware, views, queries, templates; no network) and prints median and p95 in
milliseconds with the number of SQL queries, as a Markdown table for docs/ui.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"
sys.path.insert(0, str(SERVER))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")


def load(user, count: int) -> dict[str, int]:
    """Bulk-create `count` notes (a few paragraphs each, 3 tags, 2 links) the way the services would store them."""
    from django.db import connection, transaction
    from fbrain.notes.models import Link, Note, NoteTag, Tag
    from fbrain.notes.services import note_create, note_update, update_search_vectors

    words = [
        "garden",
        "idea",
        "project",
        "memory",
        "link",
        "note",
        "river",
        "atlas",
        "thought",
        "summer",
        "book",
        "quiet",
        "method",
    ]
    tags = [Tag(owner=user, name=name) for name in [f"area{a}" for a in range(10)]]
    tags += [Tag(owner=user, name=f"area{a}/topic{t}") for a in range(10) for t in range(5)]
    with transaction.atomic():
        Tag.objects.bulk_create(tags)
        notes = Note.objects.bulk_create(
            Note(
                owner=user,
                title=f"Note {n:05d} {words[n % len(words)]}",
                body="\n\n".join(f"{' '.join(words[(n + i + j) % len(words)] for j in range(40))}." for i in range(4))
                + f"\n\nSee [[Note {(n + 1) % count:05d} {words[(n + 1) % count % len(words)]}]] "
                f"and [[Note {(n * 7) % count:05d} {words[(n * 7) % count % len(words)]}]]. #area{n % 10}",
                pinned=n % 1000 == 0,
            )
            for n in range(count)
        )
        NoteTag.objects.bulk_create(NoteTag(note=note, tag=tags[n % 10]) for n, note in enumerate(notes))
        NoteTag.objects.bulk_create(
            NoteTag(note=note, tag=tags[10 + n % 50], explicit=True) for n, note in enumerate(notes)
        )
        Link.objects.bulk_create(
            Link(owner=user, source=note, target=notes[target], target_title=notes[target].title)
            for n, note in enumerate(notes)
            for target in {(n + 1) % count, (n * 7) % count}
        )
    for start in range(0, count, 2000):
        update_search_vectors([note.pk for note in notes[start : start + 2000]])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after a real import
    hub = note_create(owner=user, title="Hub note", body="Links to [[" + notes[0].title + "]] and [[Someday]].")
    note_update(note=hub, body=hub.body + "\n\nEdited once.")
    return {"hub": hub.pk, "first": notes[0].pk, "tag": tags[10].pk}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_pages.py: set DATABASE_URL to a scratch Postgres database", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    username = f"bench{args.notes}"
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_user(username, password=secrets.token_urlsafe(16))
        started = time.perf_counter()
        ids = load(user, args.notes)
        print(f"loaded {args.notes} notes in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    from fbrain.notes.models import Note, Tag

    ids = {
        "hub": Note.objects.get(owner=user, title="Hub note").pk,
        "first": Note.objects.filter(owner=user).order_by("id").first().pk,  # type: ignore[union-attr]
        "tag": Tag.objects.filter(owner=user, name="area0/topic0").get().pk,
    }
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    pages = [
        ("Home", "/"),
        ("Notes list", "/notes/"),
        ("Notes list, tag filter", "/notes/?tag=area3"),
        ("Notes list, page 100", "/notes/?page=100"),
        ("Note view (backlinks)", f"/notes/{ids['first']}/"),
        ("Note editor", f"/notes/{ids['hub']}/edit/"),
        ("History diff", f"/notes/{ids['hub']}/history/"),
        ("Search page", "/search/?q=garden"),
        ("Search, htmx results", "/search/?q=gard+-river"),
        ("Tags", "/tags/"),
        ("Bookmarks", "/bookmarks/"),
        ("Trash", "/trash/"),
        ("Graph page", "/graph/"),
        ("Graph data (5000 nodes)", "/graph/data"),
        ("Settings", "/settings/"),
    ]
    print(f"| Page ({args.notes} notes) | median ms | p95 ms | SQL queries |")
    print("|---|---:|---:|---:|")
    for name, path in pages:
        headers = {"HX-Request": "true", "HX-Target": "results"} if "htmx" in name else {}
        for _ in range(3):
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        timings = []
        for _ in range(args.runs):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(path, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(f"| {name} `{path}` | {statistics.median(timings):.0f} | {p95:.0f} | {len(queries)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
