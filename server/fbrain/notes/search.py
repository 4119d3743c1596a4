"""Full-text search: web-search syntax, prefixes, accents folded, relevance x recency, snippets, typo fallback.

Postgres ranks with the `fbrain_search` configuration (simple + unaccent) over the weighted search vector
(title A, tags B, body C, extra text D) and falls back to trigram similarity on titles when full text finds
nothing. SQLite (embedded mode) matches the same syntax with LIKE and orders by recency.

Cost is bounded whatever the number of matches (docs/performance.md): the count stops at COUNT_CAP (the
page then says `count_exact=False`), and when a query matches more than that, only the RANK_WINDOW most
recently updated matches are ranked (found by walking the recency index, cheap for a frequent term).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Left
from django.utils.html import escape

from fbrain.core import business_metrics as bm
from fbrain.notes.models import Note, NoteTag
from fbrain.notes.selectors import note_list
from fbrain.notes.services.sync import SEARCH_CONFIG

QUERY_MAX_CHARS = 500
SNIPPET_SOURCE_CHARS = 100_000
FUZZY_THRESHOLD = 0.45
# Counting or ranking every match of a frequent word costs a heap visit per match (100+ ms at 100 000
# notes); past these bounds the count is a lower bound and ranking looks at the freshest matches only.
COUNT_CAP = 1000
RANK_WINDOW = 200
# First look among this many most recently updated notes: a frequent term fills a page there cheaply.
PROBE_NOTES = 2000
FUZZY_WINDOW = 60
# Private-use characters mark the hits inside ts_headline output; escaped text cannot contain markup.
_START, _STOP = "\ue000", "\ue001"
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Clause:
    terms: tuple[str, ...]
    phrase: bool
    negated: bool


@dataclass
class ParsedQuery:
    """An AND of groups; each group is an OR of clauses."""

    groups: list[list[Clause]] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[str]:
        return [term for group in self.groups for clause in group if not clause.negated for term in clause.terms]

    @property
    def has_negation(self) -> bool:
        return any(clause.negated for group in self.groups for clause in group)

    def is_empty(self) -> bool:
        return not self.groups


def parse_query(text: str) -> ParsedQuery:
    """Web-search syntax: words (prefix-matched), "quoted phrases", `OR` between terms, `-excluded`."""
    parsed = ParsedQuery()
    pending_or = False
    for match in _TOKEN_RE.finditer(text):
        quoted_neg, quoted, bare = match.groups()
        if bare == "OR":
            pending_or = bool(parsed.groups)
            continue
        if quoted is not None:
            clause = Clause(tuple(_WORD_RE.findall(quoted)), phrase=True, negated=bool(quoted_neg))
        else:
            negated = bare.startswith("-") and len(bare) > 1
            words = tuple(_WORD_RE.findall(bare[1:] if negated else bare))
            clause = Clause(words, phrase=len(words) > 1, negated=negated)
        if not clause.terms:
            continue
        if pending_or:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False
    return parsed


def _clause_tsquery(clause: Clause) -> str:
    # A phrase must match in order; a single word also matches as a prefix (search as you type).
    phrase = "(" + " <-> ".join(f"'{term}'" for term in clause.terms) + ")"
    text = phrase if clause.phrase else f"'{clause.terms[0]}':*"
    return f"!{text}" if clause.negated else text


def to_tsquery_text(parsed: ParsedQuery) -> str:
    """The `to_tsquery` text of a parsed query (terms are `\\w+` only, so quoting is safe)."""
    return " & ".join("(" + " | ".join(_clause_tsquery(clause) for clause in group) + ")" for group in parsed.groups)


@dataclass
class SearchHit:
    note: Note
    score: float
    snippet: str


@dataclass
class SearchPage:
    hits: list[SearchHit]
    count: int
    fuzzy: bool = False
    # False when `count` stopped at the cap: there are at least `count` matches.
    count_exact: bool = True


def _snippet_html(text: str) -> str:
    return escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")


def _filtered(owner: Any, filters: dict[str, Any]) -> QuerySet[Note]:
    notes = note_list(
        owner=owner,
        tag=filters.get("tag"),
        kind=filters.get("kind"),
        pinned=filters.get("pinned"),
        archived=filters.get("archived"),
        with_body=False,
    )
    if filters.get("updated_from"):
        notes = notes.filter(updated_at__gte=filters["updated_from"])
    if filters.get("updated_to"):
        notes = notes.filter(updated_at__lte=filters["updated_to"])
    if filters.get("created_from"):
        notes = notes.filter(created_at__gte=filters["created_from"])
    if filters.get("created_to"):
        notes = notes.filter(created_at__lte=filters["created_to"])
    return notes


class _Matches(Func):
    """`(search_vector @@ query) IS TRUE`: the same test, hidden from the GIN index on purpose.

    Used to find the freshest matches of a frequent term by walking the recency index, which stops after a
    few hundred rows, where a GIN bitmap scan would visit every match first.
    """

    output_field = BooleanField()
    template = "(%(expressions)s) IS TRUE"
    arg_joiner = " @@ "


def _capped_count(matches: QuerySet[Note], cap: int) -> int:
    return matches.order_by()[:cap].count()


def _recent_matches(notes: QuerySet[Note], tsquery: str, window: int) -> tuple[list[int], bool]:
    """Ids of up to `window` matches among the PROBE_NOTES freshest notes, freshest first; and whether
    that probe saw every note (so the ids are all the matches)."""
    recent = notes.order_by("-updated_at", "-id").values_list("pk", "updated_at", "search_vector")[:PROBE_NOTES]
    sql, params = recent.query.sql_with_params()
    with connection.cursor() as cursor:
        # A subquery scan stops as soon as `window` rows pass the filter: a frequent term costs a few
        # hundred rows read in recency order, with no GIN bitmap over all of its matches.
        cursor.execute(
            # `sql` is compiled by Django from the queryset; every value is a bound parameter.
            f'SELECT "pk" FROM ({sql}) AS recent WHERE "search_vector" @@ to_tsquery(%s::regconfig, %s) LIMIT %s',  # noqa: S608
            [*params, SEARCH_CONFIG, tsquery, window],
        )
        ids = [row[0] for row in cursor.fetchall()]
    saw_all = len(ids) < window and not notes.order_by().values("pk")[PROBE_NOTES - 1 : PROBE_NOTES].exists()
    return ids, saw_all


def _postgres_search(notes: QuerySet[Note], parsed: ParsedQuery, offset: int, limit: int) -> SearchPage:
    text = to_tsquery_text(parsed)
    query = SearchQuery(text, search_type="raw", config=SEARCH_CONFIG)
    matches = notes.filter(search_vector=query)
    recent, saw_all = _recent_matches(notes, text, max(RANK_WINDOW, offset + limit + 1))
    if saw_all or len(recent) > offset + limit:
        # The freshest notes hold this page and show whether there is a next one: rank those matches.
        return _ranked_page(notes.filter(pk__in=recent), query, offset, limit, len(recent), exact=saw_all)
    cap = max(COUNT_CAP, offset + limit + 1)
    count = _capped_count(matches, cap + 1)
    if count == 0:
        return SearchPage(hits=[], count=0)
    exact = count <= cap
    if not exact:
        freshest = (
            notes.filter(_Matches(F("search_vector"), query))
            .order_by("-updated_at", "-id")
            .values("pk")[: max(RANK_WINDOW, offset + limit)]
        )
        matches = notes.filter(pk__in=freshest)
    return _ranked_page(matches, query, offset, limit, min(count, cap), exact=exact)


def _ranked_page(
    matches: QuerySet[Note], query: SearchQuery, offset: int, limit: int, count: int, *, exact: bool
) -> SearchPage:
    if count == 0:
        return SearchPage(hits=[], count=0)
    age_days = Func(
        F("updated_at"), template="(EXTRACT(EPOCH FROM (NOW() - %(expressions)s)) / 86400.0)", output_field=FloatField()
    )
    # Relevance first; among similar ranks, fresher notes win (up to x1.5 for a note edited today).
    score = ExpressionWrapper(
        SearchRank(F("search_vector"), query, normalization=Value(1))
        * (Value(1.0) + Value(0.5) / (Value(1.0) + age_days / Value(30.0))),
        output_field=FloatField(),
    )
    headline = SearchHeadline(
        Left("body", SNIPPET_SOURCE_CHARS),
        query,
        config=SEARCH_CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    page = matches.annotate(score=score, headline=headline).order_by("-score", "-updated_at", "-id")
    hits = [
        SearchHit(note=note, score=float(note.score), snippet=_snippet_html(note.headline or ""))
        for note in page[offset : offset + limit]
    ]
    return SearchPage(hits=hits, count=count, count_exact=exact)


class _WordSimilar(Func):
    """`text <% title` on accent- and case-folded values: true when the text is close to a part of the title."""

    output_field = BooleanField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        (text_sql, text_params), (title_sql, title_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"fbrain_unaccent({text_sql}) <%% fbrain_unaccent(lower({title_sql}))", [*text_params, *title_params]


def _postgres_fuzzy(notes: QuerySet[Note], words: list[str], offset: int, limit: int) -> SearchPage:
    text = " ".join(words).lower()
    similarity = Func(
        Func(Value(text), function="fbrain_unaccent"),
        Func(Func(F("title"), function="lower"), function="fbrain_unaccent"),
        function="word_similarity",
        output_field=FloatField(),
    )
    window = max(FUZZY_WINDOW, offset + limit + 1)
    with transaction.atomic(), connection.cursor() as cursor:
        # `<%` uses the trigram index with this threshold (transaction-local).
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(FUZZY_THRESHOLD)])
        matches = notes.filter(_WordSimilar(Value(text), F("title")))
        # One pass over at most `window` similar titles gives both the count and the ranking: a typo of a
        # common word is similar to thousands of titles, and checking each one costs a function call.
        candidates = list(
            matches.order_by().annotate(score=similarity).values_list("pk", "score", "updated_at")[: window + 1]
        )
        exact = len(candidates) <= window
        del candidates[window:]
        candidates.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
        chosen = candidates[offset : offset + limit]
        scores = {pk: score for pk, score, _ in chosen}
        by_pk = notes.in_bulk(list(scores)) if chosen else {}
    hits = [SearchHit(note=by_pk[pk], score=float(scores[pk]), snippet="") for pk in scores if pk in by_pk]
    return SearchPage(hits=hits, count=len(candidates), fuzzy=True, count_exact=exact)


def _text_q(text: str) -> Q:
    return (
        Q(title__icontains=text)
        | Q(body__icontains=text)
        | Q(extra_text__icontains=text)
        | Q(id__in=NoteTag.objects.filter(tag__name__icontains=text).values("note_id"))
    )


def _simple_snippet(body: str, terms: list[str]) -> str:
    lowered = body.lower()
    positions = [lowered.find(term.lower()) for term in terms if term and term.lower() in lowered]
    if not positions:
        return escape(body[:160])
    start = max(0, min(positions) - 60)
    window = body[start : start + 200]
    html = str(escape(window))
    for term in sorted(set(terms), key=len, reverse=True):
        html = re.sub(f"({re.escape(escape(term))})", r"<mark>\1</mark>", html, flags=re.IGNORECASE)
    return ("… " if start else "") + html


def _fallback_search(notes: QuerySet[Note], parsed: ParsedQuery, offset: int, limit: int) -> SearchPage:
    condition = Q()
    for group in parsed.groups:
        alternatives = Q()
        for clause in group:
            text = " ".join(clause.terms)
            alternatives |= ~_text_q(text) if clause.negated else _text_q(text)
        condition &= alternatives
    matches = notes.filter(condition).defer(None).order_by("-updated_at", "-id")
    count = matches.count()
    terms = parsed.positive_terms
    hits = [
        SearchHit(note=note, score=0.0, snippet=_simple_snippet(note.body, terms))
        for note in matches[offset : offset + limit]
    ]
    return SearchPage(hits=hits, count=count)


def note_search(*, owner: Any, query: str, offset: int = 0, limit: int = 20, **filters: Any) -> SearchPage:
    """Search the owner's live notes. `filters`: tag, kind, pinned, archived, updated_from/to, created_from/to.

    Runs a constant number of queries whatever `limit` is (capped count, page, tags; the fuzzy fallback:
    candidates, page, tags). `count` stops at COUNT_CAP (`count_exact` is then False).
    """
    started = time.perf_counter()
    parsed = parse_query(query[:QUERY_MAX_CHARS])
    notes = _filtered(owner, filters)
    if parsed.is_empty():
        result = SearchPage(hits=[], count=0)
    elif connection.vendor == "postgresql":
        result = _postgres_search(notes, parsed, offset, limit)
        words = parsed.positive_terms
        # Typos: retry on titles, unless the query excludes words (a fuzzy match would ignore that).
        if result.count == 0 and words and not parsed.has_negation:
            result = _postgres_fuzzy(notes, words, offset, limit)
    else:
        result = _fallback_search(notes, parsed, offset, limit)
    bm.SEARCH_DURATION.observe(time.perf_counter() - started)
    bm.SEARCHES.labels(result="hit" if result.hits else "empty").inc()
    return result
