"""Full-text search over a user's notes: web-search syntax, prefixes, accents folded, ranking, snippets.

One entry point, `note_search`; each database has its engine (`postgres`, `sqlite`), both taking the
same parsed query (`query`) and returning the same page (`types`).
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from fbrain.core import business_metrics as bm
from fbrain.notes.models import Note
from fbrain.notes.search import postgres, sqlite
from fbrain.notes.search.query import QUERY_MAX_CHARS, Clause, ParsedQuery, parse_query
from fbrain.notes.search.types import SearchHit, SearchPage
from fbrain.notes.selectors import note_list

__all__ = ["QUERY_MAX_CHARS", "Clause", "ParsedQuery", "SearchHit", "SearchPage", "note_search", "parse_query"]


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
        result = postgres.search(notes, parsed, offset, limit)
        words = parsed.positive_terms
        # Typos: retry on titles, unless the query excludes words or has a phrase (a fuzzy match would ignore it).
        if result.count == 0 and words and not parsed.has_negation and not parsed.has_phrase:
            result = postgres.fuzzy(notes, words, offset, limit)
    else:
        result = sqlite.search(notes, parsed, offset, limit)
        # Typos: retry with close title terms, for plain words only (a phrase or an exclusion must hold).
        if result.count == 0 and not parsed.has_negation and not parsed.has_phrase:
            result = sqlite.fuzzy(notes, parsed, offset, limit)
    bm.SEARCH_DURATION.observe(time.perf_counter() - started)
    bm.SEARCHES.labels(result="hit" if result.hits else "empty").inc()
    return result
