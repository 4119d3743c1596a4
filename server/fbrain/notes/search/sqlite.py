"""SQLite (embedded mode) search: FTS5 ranked by bm25 (title > tags > body > extra text), typo fallback on its terms.

The `notes_note_fts` table (migration 0005) holds each note's text, tokenized by `unicode61 remove_diacritics 2`
(case and accents folded); the services keep it in step (`services.sync.update_search_index`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet

from fbrain.notes.models import Note
from fbrain.notes.search.query import Clause, ParsedQuery
from fbrain.notes.search.snippets import fold, simple_snippet
from fbrain.notes.search.types import SearchHit, SearchPage
from fbrain.notes.services import sync

FTS_TABLE = "notes_note_fts"
TITLE_TABLE = "notes_note_title_fts"
# The terms of the titles (the typo fallback corrects a word into a term found in some title).
VOCAB_TABLE = "notes_note_title_vocab"
# bm25 weights of the columns title, tags, body, extra text (a bookmark's page).
WEIGHTS = (10.0, 5.0, 1.0, 0.5)
REBUILD_BATCH = 500
# Typo fallback, bounded: this many words of a query, this many indexed terms read per word (those sharing its
# first two letters, or the two swapped), this many close terms kept per word.
FUZZY_MAX_WORDS = 6
FUZZY_SCAN_TERMS = 2000
FUZZY_TERMS_PER_WORD = 3
FUZZY_MIN_CHARS = 3
_LAST_CHAR = "\U0010ffff"
_WEIGHTS_SQL = ", ".join(str(weight) for weight in WEIGHTS)
# Each match's note is read through an index holding every column a search filters or sorts on: the table's
# row would make SQLite walk the body's overflow pages to reach the columns stored after it.
_FROM_SQL = f"""
FROM {FTS_TABLE} JOIN notes_note INDEXED BY notes_note_fts_lookup_idx ON notes_note.id = {FTS_TABLE}.rowid
WHERE {{where}}
"""
_RANKED_SQL = f"""
SELECT notes_note.id, bm25({FTS_TABLE}, {_WEIGHTS_SQL}) AS fts_rank {_FROM_SQL}
ORDER BY fts_rank, notes_note.updated_at DESC, notes_note.id DESC
"""
# Constant names; `where` is compiled by Django or built here, and every value in it is a parameter.
_COUNT_SQL = f"SELECT count(*) {_FROM_SQL}"


@dataclass
class FtsQuery:
    """A parsed query for FTS5: `match` ranks (None when the query has no positive term outside a mixed OR);
    `where` are more conditions on `notes_note.id`, with their `params`."""

    match: str | None
    where: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)


def _quoted(terms: list[str]) -> str:
    # Every term is quoted, so nothing a user types is read as FTS5 syntax (terms are \w+ already).
    return '"' + " ".join(term.replace('"', '""') for term in terms) + '"'


def _clause_match(clause: Clause) -> str | None:
    # A term of underscores only has no token (unicode61 splits on `_`): dropped, as Postgres drops it.
    terms = [term for term in clause.terms if any(char.isalnum() for char in term)]
    if not terms:
        return None
    return _quoted(terms) if clause.phrase else _quoted(terms) + "*"


def _in_matches(match: str, *, negated: bool) -> str:
    operator = "NOT IN" if negated else "IN"
    return f"notes_note.id {operator} (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"  # noqa: S608


def to_fts_query(parsed: ParsedQuery) -> FtsQuery | None:
    """The FTS5 form of a parsed query; None when it can match nothing.

    FTS5's NOT only subtracts (`a NOT b`), so excluded terms join the ranking query when it has a positive
    part, and become `NOT IN` conditions when it has none (`-draft` alone: every note without it).
    """
    positive: list[str] = []
    excluded: list[str] = []
    query = FtsQuery(match=None)
    for group in parsed.groups:
        clauses = [(clause.negated, text) for clause in group if (text := _clause_match(clause)) is not None]
        if not clauses:
            continue
        if not any(negated for negated, _ in clauses):
            positive.append("(" + " OR ".join(text for _, text in clauses) + ")")
        elif all(negated for negated, _ in clauses):
            # -a OR -b: not both.
            excluded.append("(" + " AND ".join(text for _, text in clauses) + ")")
        else:
            # -a OR b: a condition of its own, outside the ranking query.
            query.where.append("(" + " OR ".join(_in_matches(text, negated=negated) for negated, text in clauses) + ")")
            query.params.extend(text for _, text in clauses)
    if not positive and not excluded and not query.where:
        return None
    if positive:
        query.match = " AND ".join(positive)
        for text in excluded:
            query.match = f"({query.match}) NOT {text}"
    else:
        query.where.extend(_in_matches(text, negated=True) for text in excluded)
        query.params.extend(excluded)
    return query


def _ranked(notes: QuerySet[Note], query: FtsQuery, offset: int, limit: int) -> tuple[list[tuple[int, float]], int]:
    """Ids and scores of the page (best first, then the freshest), and the number of matches."""
    if query.match is None:
        matches = notes.extra(where=query.where, params=query.params)  # noqa: S610 - constant SQL, bound values
        rows = [
            (pk, 0.0)
            for pk in matches.order_by("-updated_at", "-id").values_list("pk", flat=True)[offset : offset + limit]
        ]
        return rows, _count(len(rows), offset, limit, matches.count)
    # The notes' own filters (owner, live, tag, kind, dates...), as Django writes them for this queryset.
    try:
        filters, filter_params = notes.query.get_compiler(connection=connection).compile(notes.query.where)
    except EmptyResultSet:
        return [], 0
    where = " AND ".join([f"{FTS_TABLE} MATCH %s", filters or "1", *query.where])
    params = [query.match, *filter_params, *query.params]
    with connection.cursor() as cursor:
        cursor.execute(f"{_RANKED_SQL.format(where=where)} LIMIT %s OFFSET %s", [*params, limit, offset])
        # bm25 is lower for better matches; a score is higher for better ones (as on Postgres).
        rows = [(pk, -float(rank)) for pk, rank in cursor.fetchall()]

        def total() -> int:
            cursor.execute(_COUNT_SQL.format(where=where), params)
            return int(cursor.fetchone()[0])

        return rows, _count(len(rows), offset, limit, total)


def _count(found: int, offset: int, limit: int, total: Callable[[], int]) -> int:
    # A page that is short but not past the end tells the count; else it is counted (bm25 cannot sit in the
    # query of a window function, so it is a query of its own).
    if (found and found < limit) or (not found and not offset):
        return offset + found
    return total()


def _page(notes: QuerySet[Note], ranked: list[tuple[int, float]], count: int, terms: list[str]) -> SearchPage:
    by_pk = notes.defer(None).defer("extra_text", "search_vector").in_bulk([pk for pk, _ in ranked])
    hits = [
        SearchHit(note=by_pk[pk], score=score, snippet=simple_snippet(by_pk[pk].body, terms))
        for pk, score in ranked
        if pk in by_pk
    ]
    return SearchPage(hits=hits, count=count)


def search(notes: QuerySet[Note], parsed: ParsedQuery, offset: int, limit: int) -> SearchPage:
    query = to_fts_query(parsed)
    if query is None:
        return SearchPage(hits=[], count=0)
    ranked, count = _ranked(notes, query, offset, limit)
    return _page(notes, ranked, count, parsed.positive_terms)


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _vocabulary(cursor: CursorWrapper, low: str, high: str, limit: int) -> list[tuple[str, int]]:
    cursor.execute(
        f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term >= %s AND term < %s LIMIT %s",  # noqa: S608 - constant name
        [low, high, limit],
    )
    return list(cursor.fetchall())


def _close_terms(cursor: CursorWrapper, word: str) -> list[str] | None:
    """Title terms close to `word` (the word itself when it is indexed); None when there are none."""
    own = _quoted([word]) + "*"
    cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT 1", [own])  # noqa: S608
    if cursor.fetchone():
        return [own]
    if len(word) < FUZZY_MIN_CHARS:
        return None
    allowed = 1 if len(word) <= 5 else 2
    found: dict[str, tuple[int, int, int]] = {}
    for start in dict.fromkeys((word[:2], word[1] + word[0])):
        for term, docs in _vocabulary(cursor, start, start + _LAST_CHAR, FUZZY_SCAN_TERMS):
            # A typo in what is typed so far also counts (`meetn` for `meeting`).
            whole = _distance(word, term)
            distance = min(whole, _distance(word, term[: len(word)]))
            if distance <= allowed:
                found[term] = (distance, whole, -docs)
    best = sorted(found, key=lambda term: (found[term], term))[:FUZZY_TERMS_PER_WORD]
    return [_quoted([term]) for term in best] or None


def fuzzy(notes: QuerySet[Note], parsed: ParsedQuery, offset: int, limit: int) -> SearchPage:
    """Typos: every word the index does not know is replaced by close indexed terms, and the search runs again.

    For a query of plain words (no phrase, no exclusion) that found nothing. Returns an empty, non-fuzzy page
    when some word has no close term.
    """
    groups: list[str] = []
    terms: list[str] = []
    with connection.cursor() as cursor:
        for group in parsed.groups[:FUZZY_MAX_WORDS]:
            alternatives = []
            for clause in group:
                word = fold(clause.terms[0])
                close = _close_terms(cursor, word)
                if close is not None:
                    alternatives.extend(close)
                    terms.extend(text.strip('"*') for text in close)
            if not alternatives:
                return SearchPage(hits=[], count=0)
            groups.append("(" + " OR ".join(alternatives) + ")")
    ranked, count = _ranked(notes, FtsQuery(match=" AND ".join(groups)), offset, limit)
    page = _page(notes, ranked, count, terms)
    page.fuzzy = bool(count)
    return page


def rebuild_index(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the FTS table from the notes (every owner's, trashed ones included); returns the number of notes.

    One transaction: searches meanwhile see the old index. `progress(done, total)` after each batch.
    """
    ids = list(Note.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (FTS_TABLE, TITLE_TABLE):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant name
        for start in range(0, len(ids), REBUILD_BATCH):
            sync.update_search_index(ids[start : start + REBUILD_BATCH])
            if progress is not None:
                progress(min(start + REBUILD_BATCH, len(ids)), len(ids))
        # Merge the index segments the batches wrote into one.
        for table in (FTS_TABLE, TITLE_TABLE):
            cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608 - constant name
    return len(ids)
