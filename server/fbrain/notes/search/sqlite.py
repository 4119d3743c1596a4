"""SQLite (embedded mode) search: the same query syntax matched with LIKE, newest first."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fbrain.notes.models import Note, NoteTag
from fbrain.notes.search.query import ParsedQuery
from fbrain.notes.search.snippets import simple_snippet
from fbrain.notes.search.types import SearchHit, SearchPage


def _text_q(text: str) -> Q:
    return (
        Q(title__icontains=text)
        | Q(body__icontains=text)
        | Q(extra_text__icontains=text)
        | Q(id__in=NoteTag.objects.filter(tag__name__icontains=text).values("note_id"))
    )


def search(notes: QuerySet[Note], parsed: ParsedQuery, offset: int, limit: int) -> SearchPage:
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
        SearchHit(note=note, score=0.0, snippet=simple_snippet(note.body, terms))
        for note in matches[offset : offset + limit]
    ]
    return SearchPage(hits=hits, count=count)
