"""Postgres full-text search: the `fbrain_search` configuration (simple + unaccent), ranking, typo fallback.

Ranks over the weighted search vector (title A, tags B, body C, extra text D) and falls back to trigram
similarity on titles when full text finds nothing.

Cost is bounded whatever the number of matches (docs/performance.md): the count stops at COUNT_CAP (the
page then says `count_exact=False`), and when a query matches more than that, only the RANK_WINDOW most
recently updated matches are ranked (found by walking the recency index, cheap for a frequent term).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Func, QuerySet, Value
from django.db.models.functions import Left

from fbrain.notes.models import Note
from fbrain.notes.search.query import Clause, ParsedQuery
from fbrain.notes.search.snippets import START, STOP, snippet_html
from fbrain.notes.search.types import SearchHit, SearchPage
from fbrain.notes.services.sync import SEARCH_CONFIG

SNIPPET_SOURCE_CHARS = 100_000
FUZZY_THRESHOLD = 0.45
# Counting or ranking every match of a frequent word costs a heap visit per match (100+ ms at 100 000
# notes); past these bounds the count is a lower bound and ranking looks at the freshest matches only.
COUNT_CAP = 1000
RANK_WINDOW = 200
# First look among this many most recently updated notes: a frequent term fills a page there cheaply.
PROBE_NOTES = 2000
FUZZY_WINDOW = 60


def _clause_tsquery(clause: Clause) -> str:
    # A phrase must match in order; a single word also matches as a prefix (search as you type).
    phrase = "(" + " <-> ".join(f"'{term}'" for term in clause.terms) + ")"
    text = phrase if clause.phrase else f"'{clause.terms[0]}':*"
    return f"!{text}" if clause.negated else text


def to_tsquery_text(parsed: ParsedQuery) -> str:
    """The `to_tsquery` text of a parsed query (terms are `\\w+` only, so quoting is safe)."""
    return " & ".join("(" + " | ".join(_clause_tsquery(clause) for clause in group) + ")" for group in parsed.groups)


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


def search(notes: QuerySet[Note], parsed: ParsedQuery, offset: int, limit: int) -> SearchPage:
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
        start_sel=START,
        stop_sel=STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    page = matches.annotate(score=score, headline=headline).order_by("-score", "-updated_at", "-id")
    hits = [
        SearchHit(note=note, score=float(note.score), snippet=snippet_html(note.headline or ""))
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


def fuzzy(notes: QuerySet[Note], words: list[str], offset: int, limit: int) -> SearchPage:
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
