"""Template filters of the browser pages: site initials and colours for bookmarks without a favicon."""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit

from django import template
from django.conf import settings

register = template.Library()
COLOURS = 8


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@register.filter
def host(url: str) -> str:
    """`https://www.example.org/x` → `example.org`."""
    return _host(url)


@register.filter
def initials(name: str) -> str:
    """One or two letters standing for a site: `Zettel Weekly` → `ZW`, `example.org` → `E`."""
    words = [word for word in name.replace(".", " ").replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    if len(words) >= 2 and "." not in name:
        return (words[0][0] + words[1][0]).upper()
    return words[0][0].upper()


@register.filter
def colour_class(name: str) -> str:
    """A stable colour class (`fav-0` … `fav-7`) for a site name, so the same site keeps its colour."""
    return f"fav-{zlib.crc32(name.lower().encode()) % COLOURS}"


@register.filter
def humanize_key(key: str) -> str:
    """`pending_links` → `pending links`."""
    return key.replace("_", " ")


@register.simple_tag
def signup_enabled() -> bool:
    """Whether people may create their own account (SIGNUP_ENABLED)."""
    return bool(settings.SIGNUP_ENABLED)


@register.simple_tag
def setup_needed() -> bool:
    """Whether the database has no user yet (the pages then offer the one-time setup of the first account)."""
    from fbrain.accounts.selectors import setup_needed as needed

    return needed()
