"""Benchmark (b): full-text search vs an `icontains` baseline on 100 000 generated notes, same run.

Method: one account with --notes realistic notes (French/English/German words, #tags, [[links]]) inserted in
batches (rows + tags through bulk inserts, then the real `update_search_vectors` service), ANALYZE, then a
fixed query set (single words, phrases, prefixes, exclusions, typos). Each query runs --rounds times through
the real search selector `note_search` (first page of 20, snippets included) — server-side latency, no HTTP —
and through the baseline: title/body `icontains` for every positive term, newest first, first 20 rows.
Targets: search p95 <= 30 ms at 100 000 notes, and >= 20x faster than the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "server"))

QUERIES = [
    "réseau", "memory", "Zettel", "cafe", "château",  # single words (accents both ways)
    '"idée café"', '"research method"',  # phrases
    "rés", "proj", "gard",  # prefixes, as typed
    "projet -réunion", "paper -draft",  # exclusions
    "reserch", "memroy", "jardn",  # typos (trigram fallback)
    "python OR django",  # OR
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def seed(user, count: int) -> float:  # noqa: ANN001
    from django.db import connection, transaction

    from fbrain.notes.models import Note, NoteTag
    from fbrain.notes.services import tags_get_or_create, update_search_vectors
    from seed import TAGS, note_text

    existing = Note.objects.filter(owner=user).count()
    if existing >= count:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(2)
    tags = tags_get_or_create(owner=user, names=TAGS)
    for start in range(existing, count, 2000):
        with transaction.atomic():
            rows = []
            row_tags = []
            for index in range(start, min(start + 2000, count)):
                title, body, names = note_text(rng, index, count, "Search")
                rows.append(Note(owner=user, title=title, body=body))
                row_tags.append(names)
            created = Note.objects.bulk_create(rows)
            NoteTag.objects.bulk_create(
                [NoteTag(note=note, tag=tags[name.lower()]) for note, names in zip(created, row_tags) for name in names]
            )
            update_search_vectors([note.pk for note in created])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fbrain_bench_search")
    os.environ.pop("REDIS_URL", None)
    import subprocess

    subprocess.run(["psql", "postgres://postgres@127.0.0.1:5432/postgres", "-qc",
                    "CREATE DATABASE fbrain_bench_search"], capture_output=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Q

    from common import write_results
    from fbrain.notes.models import Note
    from fbrain.notes.search import note_search

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="search-bench")
    seed_seconds = seed(user, args.notes)
    from django.db import connection

    with connection.cursor() as cursor:
        # The steady state autovacuum keeps: fresh statistics and a visibility map (bulk seeding skips both).
        cursor.execute("VACUUM ANALYZE notes_note")

    def run_search(query: str) -> int:
        page = note_search(owner=user, query=query, limit=20)
        return len(page.hits)

    def describe(query: str) -> dict:
        page = note_search(owner=user, query=query, limit=20)
        return {"count": page.count, "count_exact": page.count_exact, "fuzzy": page.fuzzy}

    def run_baseline(query: str) -> int:
        terms = [t.strip('"') for t in query.replace('"', " ").split() if not t.startswith("-") and t != "OR"]
        condition = Q()
        for term in terms:
            condition &= Q(title__icontains=term) | Q(body__icontains=term)
        rows = Note.objects.filter(owner=user, deleted_at__isnull=True).filter(condition).order_by("-updated_at")[:20]
        return len(list(rows.values_list("id", "title", "body")))

    per_query = {}
    search_times: list[float] = []
    baseline_times: list[float] = []
    for query in QUERIES:
        run_search(query)  # warm caches for both: measure steady state, not first touch
        run_baseline(query)
        s_times, b_times, hits = [], [], 0
        for _ in range(args.rounds):
            started = time.perf_counter()
            hits = run_search(query)
            s_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            run_baseline(query)
            b_times.append((time.perf_counter() - started) * 1000)
        search_times += s_times
        baseline_times += b_times
        per_query[query] = {"hits": hits, **describe(query), "search_p50_ms": round(statistics.median(s_times), 2),
                            "baseline_p50_ms": round(statistics.median(b_times), 2)}

    summary = {
        "search": {q: round(percentile(search_times, q), 2) for q in (50, 95, 99)},
        "baseline": {q: round(percentile(baseline_times, q), 2) for q in (50, 95, 99)},
    }
    speedup = summary["baseline"][95] / summary["search"][95]
    results = {
        "method": __doc__.strip(),
        "notes": args.notes,
        "seed_seconds": round(seed_seconds, 1),
        "latency_ms": summary,
        "speedup_p95": round(speedup, 1),
        "speedup_p50": round(summary["baseline"][50] / summary["search"][50], 1),
        "per_query": per_query,
        "targets": {"search_p95_ms_max": 30, "speedup_min": 20,
                    "met": summary["search"][95] <= 30 and speedup >= 20},
    }
    write_results("search", results)


if __name__ == "__main__":
    main()
