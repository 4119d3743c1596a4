"""Normalise URLs so one page saved twice is recognised as the same bookmark."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from fbrain.core.errors import ValidationFailed

# Tracking parameters carry no meaning for the page itself.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "igshid", "ref_src"})
URL_MAX_LENGTH = 2000
# The URLs the API takes, for the schema and checked before clean_url: http(s), a host without credentials
# (no IPv6 literal; none of the characters that NFKC turns into URL delimiters, which urlsplit refuses),
# an optional port up to 65535, no control characters; surrounding spaces are dropped.
_HOST_CHARS = (
    r"[^\s/?#@:\[\]\\\u0000-\u001f\u007f"
    r"\u2047-\u2049\u2100\u2101\u2105\u2106\u2a74\ufe13\ufe16\ufe55\ufe56\ufe5f\ufe6b\uff03\uff0f\uff1a\uff1f\uff20]"
)
_PORT = r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])?)?"
URL_PATTERN = rf"^\s*[Hh][Tt][Tt][Pp][Ss]?://{_HOST_CHARS}+{_PORT}(?:[/?#][^\u0000-\u001f\u007f]*)?\s*$"


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"url": [message]})


def clean_url(url: str) -> str:
    """The URL as given, checked for shape: http(s), a host, no credentials, not too long."""
    url = (url or "").strip()
    if not url:
        raise _invalid("A URL is required.")
    if len(url) > URL_MAX_LENGTH:
        raise _invalid(f"The URL is longer than {URL_MAX_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise _invalid("This is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _invalid("Only http and https URLs can be bookmarked.")
    if not parts.hostname:
        raise _invalid("The URL has no host name.")
    if parts.username is not None or parts.password is not None:
        raise _invalid("URLs with a user name or password are not accepted.")
    if any(ord(char) < 0x20 or char == "\x7f" for char in url):
        raise _invalid("The URL contains control characters.")
    return url


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased (IDNA), default port, fragment and tracking parameters dropped, query sorted."""
    parts = urlsplit(clean_url(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        host = host.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == {"http": 80, "https": 443}[scheme] else f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES) and key.lower() not in _TRACKING_NAMES
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def title_from_url(url: str) -> str:
    """A readable placeholder title until the page's own title is known: host and path."""
    parts = urlsplit(url)
    text = (parts.hostname or "") + (parts.path if parts.path not in ("", "/") else "")
    return text[:200] or url[:200]
