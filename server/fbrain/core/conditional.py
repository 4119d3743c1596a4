"""HTTP validators for API reads: ETag / Last-Modified on answers, If-None-Match / If-Modified-Since to 304."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from rest_framework.request import Request
from rest_framework.response import Response

# A Last-Modified is given (and If-Modified-Since honoured) only for times this far in the past: HTTP dates
# have whole seconds, so a second change in the same second, or one still committing, would hide behind it.
SETTLED = timedelta(seconds=2)
_ETAG_LIST_RE = re.compile(r'\s*(?:W/)?("[^"]*")\s*(?:,|$)')
CACHE_CONTROL = "private, no-cache"


def _listed_etags(header: str) -> set[str] | None:
    """The entity tags of an If-None-Match value (weak ones compared as strong: RFC 9110 13.1.2); None if malformed."""
    tags, position = set(), 0
    while position < len(header):
        match = _ETAG_LIST_RE.match(header, position)
        if match is None:
            return None
        tags.add(match.group(1))
        position = match.end()
    return tags


def is_not_modified(request: Request, *, etag: str, changed_at: datetime | None) -> bool:
    """Whether the client's copy is current: If-None-Match names `etag` (or `*`), or, without If-None-Match,
    If-Modified-Since is at or after `changed_at` (both settled). Malformed validators never match."""
    none_match = request.headers.get("If-None-Match")
    if none_match is not None:
        if none_match.strip() == "*":
            return True
        tags = _listed_etags(none_match)
        return tags is not None and etag in tags
    modified_since = request.headers.get("If-Modified-Since")
    if modified_since is None or changed_at is None:
        return False
    since = parse_http_date_safe(modified_since)
    if since is None:
        return False
    now = timezone.now().timestamp()
    # A date in the future, or within the last SETTLED seconds, cannot rule out a change still committing.
    return since <= now - SETTLED.total_seconds() and int(changed_at.timestamp()) <= since


def with_validators(response: Response, *, etag: str, changed_at: datetime | None) -> Response:
    """Put ETag (and Last-Modified once settled) on an answer; clients must revalidate before reusing it."""
    response["ETag"] = etag
    if changed_at is not None and timezone.now() - changed_at >= SETTLED:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    return response


def not_modified(*, etag: str, changed_at: datetime | None) -> Response:
    """The 304 answer: no body, the same validators."""
    return with_validators(Response(status=304), etag=etag, changed_at=changed_at)
