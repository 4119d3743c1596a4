"""Queries and metrics of the real-text search benchmark: generated with a fixed seed, checked on a reference index.

Known-item kinds have a target note (its corpus key): `title` (the words of its title), `body4` (four
consecutive words of its body that at most 30 notes contain), `unaccented` (non-English words typed without
their accents). Latency kinds: `frequent` (a word in about a third of the notes), `prefix`, `phrase`,
`exclusion`, `typo` (title words, one of them with one edit, matching nothing in full text; target kept to
see whether the typo fallback finds it), `nothing`.
"""

from __future__ import annotations

import math
import random
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

KNOWN = ("title", "body4", "unaccented")
LATENCY = ("frequent", "prefix", "phrase", "exclusion", "typo", "nothing")
KINDS = KNOWN + LATENCY
ACCENTED_LANGS = {"fr", "de", "es", "it", "pt", "pt-br", "pl", "cs", "ro", "hu", "da", "sv", "fi", "nb", "nl", "vi"}
BODY4_MAX_MATCHES = 30
WORD_RE = re.compile(r"[^\W\d_]+")
_MARKUP_RE = re.compile(r"\[\[([^\]|]*)(?:\|([^\]]*))?\]\]|```|^#+ |[*_`>|]", re.MULTILINE)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    target: str | None = None  # the corpus key of the note the query looks for


def fold(text: str) -> str:
    """Lower case without accents: how the engines compare words."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> list[str]:
    """The words of a text without its Markdown, and without `OR` (an operator in every engine's syntax)."""
    return [w for w in WORD_RE.findall(_MARKUP_RE.sub(" ", text)) if w not in {"OR", "AND", "NOT", "NEAR"}]


class Reference:
    """SQLite FTS5 index (unicode61, diacritics removed) of one corpus size: the ground for query checks."""

    def __init__(self, path: Path, docs: Sequence[dict]) -> None:
        fresh = not path.exists()
        tmp = path.with_suffix(".tmp")
        if fresh:
            tmp.unlink(missing_ok=True)
            db = sqlite3.connect(tmp)
            db.execute("CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, body,"
                       " tokenize='unicode61 remove_diacritics 2')")
            db.executemany("INSERT INTO docs(key, title, body) VALUES (?, ?, ?)",
                           ((d["key"], d["title"], d["body"]) for d in docs))
            db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, row)")
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
            db.commit()
            db.close()
            tmp.rename(path)
        self.db = sqlite3.connect(path)
        self.size = len(docs)

    @staticmethod
    def match_expr(words: Iterable[str]) -> str:
        return " ".join('"' + w.replace('"', "") + '"' for w in words)

    def count_all(self, words: Sequence[str]) -> int:
        row = self.db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [self.match_expr(words)]).fetchone()
        return int(row[0])

    def has_prefix(self, word: str) -> bool:
        """Whether some indexed word starts with `word` (folded), or is it."""
        low = fold(word)
        row = self.db.execute("SELECT 1 FROM vocab WHERE term >= ? AND term < ? LIMIT 1",
                              [low, low + "\U0010ffff"]).fetchone()
        return row is not None

    def doc_freq_between(self, low: int, high: int, min_len: int = 3) -> list[tuple[str, int]]:
        rows = self.db.execute("SELECT term, doc FROM vocab WHERE doc BETWEEN ? AND ? AND length(term) >= ?"
                               " ORDER BY term", [low, high, min_len]).fetchall()
        return [(term, int(doc)) for term, doc in rows if WORD_RE.fullmatch(term)]


def _one_edit(rng: random.Random, word: str) -> str:
    position = rng.randrange(1, len(word) - 1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    edit = rng.choice(("substitute", "delete", "insert", "transpose"))
    if edit == "substitute":
        return word[:position] + rng.choice(letters.replace(word[position], "")) + word[position + 1 :]
    if edit == "delete":
        return word[:position] + word[position + 1 :]
    if edit == "insert":
        return word[:position] + rng.choice(letters) + word[position:]
    return word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]


def _title_words(doc: dict) -> list[str]:
    title = re.sub(r"\(\d\w*\)", " ", doc["title"])  # a man page's section number is not what one types
    return words_of(title)[:8]


def make_queries(docs: Sequence[dict], ref: Reference, *, known: int, latency: int, seed: int = 15) -> list[Query]:
    """`known` queries of each known-item kind and `latency` of each latency kind, the same for a seed."""
    rng = random.Random(seed)
    real = sorted((d for d in docs if d["source"] != "generated"), key=lambda d: d["key"])
    out: list[Query] = []

    candidates = rng.sample(real, min(len(real), known * 4))
    titles = [Query("title", " ".join(w), d["key"]) for d in candidates if len(w := _title_words(d)) >= 2]
    out += titles[:known]

    body4: list[Query] = []
    for doc in rng.sample(real, min(len(real), known * 6)):
        words = words_of(doc["body"][:200_000])
        for _ in range(6):
            if len(words) < 8:
                break
            start = rng.randrange(len(words) - 4)
            window = words[start : start + 4]
            if any(len(w) < 3 for w in window):
                continue
            if ref.count_all(window) <= BODY4_MAX_MATCHES:
                body4.append(Query("body4", " ".join(window), doc["key"]))
                break
        if len(body4) >= known:
            break
    out += body4

    foreign = [d for d in real if d["lang"] in ACCENTED_LANGS]
    unaccented: list[Query] = []
    for doc in rng.sample(foreign, min(len(foreign), known * 6)):
        words = _title_words(doc)
        if len(words) >= 2 and any(fold(w) != w.lower() for w in words):
            unaccented.append(Query("unaccented", fold(" ".join(words)), doc["key"]))
        else:
            body = words_of(doc["body"][:200_000])
            for _ in range(6):
                if len(body) < 8:
                    break
                start = rng.randrange(len(body) - 4)
                window = body[start : start + 4]
                if any(fold(w) != w.lower() for w in window) and ref.count_all(window) <= BODY4_MAX_MATCHES:
                    unaccented.append(Query("unaccented", fold(" ".join(window)), doc["key"]))
                    break
        if len(unaccented) >= known:
            break
    out += unaccented

    size = ref.size
    common = ref.doc_freq_between(size // 20, size)
    common.sort(key=lambda item: abs(item[1] - size / 3))
    frequent = [term for term, _ in common[:latency]]
    out += [Query("frequent", term) for term in frequent]

    mid = [term for term, _ in ref.doc_freq_between(size // 200, size // 5, min_len=6)]
    rng.shuffle(mid)
    out += [Query("prefix", term[: rng.randint(3, 4)]) for term in mid[:latency]]

    phrases: list[Query] = []
    for doc in rng.sample(real, min(len(real), latency * 4)):
        words = words_of(doc["body"][:50_000])
        if len(words) > 10:
            start = rng.randrange(len(words) - 3)
            phrases.append(Query("phrase", '"' + " ".join(words[start : start + rng.randint(2, 3)]) + '"', doc["key"]))
        if len(phrases) >= latency:
            break
    out += phrases

    pool = [term for term, _ in common[: latency * 4]] + mid[: latency * 4]
    out += [Query("exclusion", f"{a} -{b}") for a, b in (rng.sample(pool, 2) for _ in range(latency))]

    typos: list[Query] = []
    for doc in rng.sample(real, min(len(real), latency * 20)):
        words = _title_words(doc)[:4]
        longest = max(words, key=len, default="")
        if len(longest) < 6 or not longest.isascii():
            continue
        for _ in range(5):
            typo = _one_edit(rng, longest.lower())
            if not ref.has_prefix(typo):
                typos.append(Query("typo", " ".join(typo if w == longest else w for w in words), doc["key"]))
                break
        if len(typos) >= latency:
            break
    out += typos

    nothing: list[Query] = []
    while len(nothing) < latency:
        word = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(6, 9)))
        if not ref.has_prefix(word):
            nothing.append(Query("nothing", word))
    out += nothing
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rank_metrics(ranked: Sequence[Sequence[str]], targets: Sequence[str]) -> dict[str, float]:
    """success@1, success@10 and MRR@10 of ranked result keys against each query's target."""
    if not targets:
        return {"success_at_1": math.nan, "success_at_10": math.nan, "mrr_at_10": math.nan, "queries": 0}
    at1 = at10 = reciprocal = 0.0
    for keys, target in zip(ranked, targets, strict=True):
        top = list(keys[:10])
        if target in top:
            position = top.index(target) + 1
            at1 += position == 1
            at10 += 1
            reciprocal += 1 / position
    n = len(targets)
    return {"success_at_1": at1 / n, "success_at_10": at10 / n, "mrr_at_10": reciprocal / n, "queries": n}


def latency_summary(milliseconds: Sequence[float]) -> dict[str, float]:
    return {f"p{q}_ms": round(percentile(milliseconds, q), 2) for q in (50, 95, 99)}
