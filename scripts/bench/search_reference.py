"""BM25 references for the real-text search benchmark: tantivy and SQLite FTS5, in-process, same queries.

Runs under .cache/tools-venv (tantivy is pinned in scripts/bench/requirements-search.txt), called by
bench_search_real.py: reads the corpus size and the queries (JSON), writes each query's top-10 keys and
latency. Both index title (weight 2) and body (weight 1), fold case and accents, and match every word (AND);
`"phrases"`, `-exclusions` and `prefix` queries map to each engine's own operators. Indexes are cached per size.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import CACHE, CORPUS_VERSION, corpus
from search_queries import Reference

TITLE_BOOST = 2.0
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"|(\S+)')


def parse(text: str) -> list[tuple[bool, bool, str]]:
    """(negated, phrase, text) clauses of the web-search syntax the benchmark's queries use."""
    clauses = []
    for negated, quoted, bare in _TOKEN_RE.findall(text):
        if quoted:
            clauses.append((bool(negated), True, quoted))
        elif bare.startswith("-") and len(bare) > 1:
            clauses.append((True, False, bare[1:]))
        else:
            clauses.append((False, False, bare))
    return clauses


class Tantivy:
    def __init__(self, size: int, docs: list[dict] | None) -> None:
        import tantivy

        self.t = tantivy
        path = CACHE / f"tantivy-{CORPUS_VERSION}-{size}"
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="fold")
        builder.add_text_field("body", tokenizer_name="fold")
        self.schema = builder.build()
        self.analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        fresh = not (path / "meta.json").exists()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        self.index.register_tokenizer("fold", self.analyzer)
        if fresh:
            assert docs is not None
            writer = self.index.writer(heap_size=300_000_000, num_threads=2)
            for doc in docs:
                writer.add_document(tantivy.Document(key=doc["key"], title=doc["title"], body=doc["body"]))
            writer.commit()
            writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _words(self, text: str) -> list[str]:
        return list(self.analyzer.analyze(text))

    def _either(self, make) -> object:
        q = self.t.Query
        return q.boolean_query([
            (self.t.Occur.Should, q.boost_query(make("title"), TITLE_BOOST)),
            (self.t.Occur.Should, make("body")),
        ])

    def query(self, text: str, kind: str) -> object:
        q, occur = self.t.Query, self.t.Occur
        clauses = []
        for negated, phrase, part in parse(text):
            words = self._words(part)
            if not words:
                continue
            if phrase and len(words) > 1:
                sub = self._either(lambda f, w=words: q.phrase_query(self.schema, f, w))
                clauses.append((occur.MustNot if negated else occur.Must, sub))
                continue
            for word in words:
                if kind == "prefix":
                    make = lambda f, w=word: q.regex_query(self.schema, f, re.escape(w) + ".*")  # noqa: E731
                else:
                    make = lambda f, w=word: q.term_query(self.schema, f, w)  # noqa: E731
                clauses.append((occur.MustNot if negated else occur.Must, self._either(make)))
        if not any(o == occur.Must for o, _ in clauses):
            return q.empty_query()
        return q.boolean_query(clauses)

    def search(self, text: str, kind: str) -> list[str]:
        result = self.searcher.search(self.query(text, kind), 10, count=False)
        return [self.searcher.doc(address)["key"][0] for _, address in result.hits]


class Fts5:
    def __init__(self, size: int, docs: list[dict] | None) -> None:
        path = CACHE / f"fts5-{CORPUS_VERSION}-{size}.sqlite"
        self.db = Reference(path, docs or []).db

    @staticmethod
    def expression(text: str, kind: str) -> str:
        positive, negative = [], []
        for negated, phrase, part in parse(text):
            words = re.findall(r"\w+", part)
            if not words:
                continue
            quoted = '"' + " ".join(words) + '"' if phrase else " ".join(f'"{w}"' for w in words)
            if kind == "prefix" and not phrase:
                quoted += "*"
            (negative if negated else positive).append(quoted)
        if not positive:
            return ""
        return " ".join(positive) + "".join(f" NOT {n}" for n in negative)

    def search(self, text: str, kind: str) -> list[str]:
        expression = self.expression(text, kind)
        if not expression:
            return []
        rows = self.db.execute(
            f"SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, {TITLE_BOOST}, 1.0) LIMIT 10",
            [expression],
        ).fetchall()
        return [row[0] for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    queries = json.loads(args.queries.read_text())
    needs_docs = not (CACHE / f"tantivy-{CORPUS_VERSION}-{args.size}" / "meta.json").exists() or not (
        CACHE / f"fts5-{CORPUS_VERSION}-{args.size}.sqlite"
    ).exists()
    docs = corpus(args.size) if needs_docs else None
    results = {}
    for name, engine_class in (("tantivy", Tantivy), ("fts5", Fts5)):
        started = time.perf_counter()
        engine = engine_class(args.size, docs)
        opened = time.perf_counter() - started
        for query in queries[:30]:  # warm-up: steady state, not first touch
            engine.search(query["text"], query["kind"])
        rows = []
        for query in queries:
            begin = time.perf_counter()
            keys = engine.search(query["text"], query["kind"])
            rows.append({"keys": keys, "ms": (time.perf_counter() - begin) * 1000})
        results[name] = {"open_seconds": round(opened, 2), "rows": rows}
    args.out.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
