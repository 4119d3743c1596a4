"""Search snippets: escaped text around the hits, with the hits in <mark>."""

from __future__ import annotations

import re

from django.utils.html import escape

# Private-use characters mark the hits inside ts_headline output; escaped text cannot contain markup.
START, STOP = "\ue000", "\ue001"


def snippet_html(text: str) -> str:
    return escape(text).replace(START, "<mark>").replace(STOP, "</mark>")


def simple_snippet(body: str, terms: list[str]) -> str:
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
