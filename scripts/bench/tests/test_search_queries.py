"""Pure parts of the real-text search benchmark: query generation (deterministic, checked) and metrics.

    .venv/bin/python -m pytest scripts/bench/tests -p no:django -q
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import search_queries as sq
from search_reference import Fts5, parse

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()


def _docs() -> list[dict]:
    docs = []
    for n in range(120):
        body = " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(60)) + f" unique{chr(97 + n % 26)}word"
        lang = "fr" if n % 4 == 0 else "en"
        title = f"Page numero {n} réseau café" if lang == "fr" else f"Manual page {n} {WORDS[n % len(WORDS)]} topic"
        docs.append({"key": f"k{n}", "title": title, "body": body + (" été déjà" if lang == "fr" else ""),
                     "lang": lang, "source": "man", "tags": []})
    return docs


@pytest.fixture
def reference(tmp_path: Path) -> sq.Reference:
    return sq.Reference(tmp_path / "ref.sqlite", _docs())


def test_make_queries_is_deterministic_for_a_seed(reference: sq.Reference) -> None:
    docs = _docs()
    first = sq.make_queries(docs, reference, known=10, latency=5, seed=3)
    assert first == sq.make_queries(docs, reference, known=10, latency=5, seed=3)
    assert first != sq.make_queries(docs, reference, known=10, latency=5, seed=4)


def test_make_queries_respects_each_kind(reference: sq.Reference) -> None:
    docs = _docs()
    by_key = {doc["key"]: doc for doc in docs}
    queries = sq.make_queries(docs, reference, known=10, latency=5, seed=3)
    kinds = {q.kind for q in queries}
    assert {"title", "body4", "unaccented", "frequent", "prefix", "typo", "nothing"} <= kinds
    for query in queries:
        if query.kind == "body4":
            words = query.text.split()
            assert len(words) == 4
            assert reference.count_all(words) <= sq.BODY4_MAX_MATCHES
            assert query.text in " ".join(sq.words_of(by_key[query.target]["body"]))
        if query.kind == "unaccented":
            assert by_key[query.target]["lang"] == "fr"
            assert query.text == sq.fold(query.text)
        if query.kind in ("typo", "nothing"):
            assert not any(reference.has_prefix(word) for word in query.text.split() if word not in
                           sq.words_of(by_key[query.target]["title"] if query.target else ""))


def test_rank_metrics_counts_positions_up_to_ten() -> None:
    ranked = [["a", "b"], ["x", "a"], [str(i) for i in range(10)] + ["a"], []]
    metrics = sq.rank_metrics(ranked, ["a", "a", "a", "a"])
    assert metrics == {"success_at_1": 0.25, "success_at_10": 0.5, "mrr_at_10": 0.375, "queries": 4}


def test_percentile_interpolates_between_ranks() -> None:
    assert sq.percentile([1, 2, 3, 4], 50) == 2.5
    assert sq.percentile([5], 95) == 5
    assert sq.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == pytest.approx(9.55)
    assert math.isnan(sq.percentile([], 50))


def test_reference_syntax_maps_phrases_exclusions_and_prefixes() -> None:
    assert parse('"a b" -c d') == [(False, True, "a b"), (True, False, "c"), (False, False, "d")]
    assert Fts5.expression('"a b" -c d', "phrase") == '"a b" "d" NOT "c"'
    assert Fts5.expression("abc", "prefix") == '"abc"*'
    assert Fts5.expression("-c", "exclusion") == ""
