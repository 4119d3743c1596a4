"""What a search returns: a page of hits with their scores and snippets."""

from __future__ import annotations

from dataclasses import dataclass

from fbrain.notes.models import Note


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
