"""Search query syntax: words (prefix-matched), "quoted phrases", `OR` between terms, `-excluded`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_MAX_CHARS = 500
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

    @property
    def has_phrase(self) -> bool:
        return any(clause.phrase for group in self.groups for clause in group)

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
