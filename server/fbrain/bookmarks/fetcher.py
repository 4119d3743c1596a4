"""The safe page fetcher: public addresses only, connect to the checked address, bounded in time and size."""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from fbrain.bookmarks.addresses import AllowEntry, IPAddress, allow_list, parse_ip_literal, refusal_reason

MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT_SECONDS = 5.0
TOTAL_TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
RETRY_AFTER_MAX_SECONDS = 300.0
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
DEFAULT_USER_AGENT = "F_BRAIN-capture/1.0 (self-hosted bookmark fetcher)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024

Resolver = Callable[[str, int], list[IPAddress]]


class FetchError(Exception):
    """A fetch that did not give a page: `reason` is a stable code, the message is for people."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        transient: bool = False,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.transient = transient
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Target:
    """One checked hop: where to connect and what to send."""

    scheme: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]
    request_target: str
    host_header: str


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    http_status: int
    content_type: str
    charset: str | None
    body: bytes | None  # None when the content type is not one we read
    redirects: tuple[str, ...] = field(default_factory=tuple)


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        transient = exc.errno in (socket.EAI_AGAIN,)
        raise FetchError(
            "dns", f"The host name {host!r} could not be resolved ({exc.strerror}).", transient=transient
        ) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_url(
    url: str, *, resolver: Resolver = system_resolver, allow_hosts: Iterable[str | AllowEntry] = ()
) -> Target:
    """Validate a URL and resolve it to addresses the fetcher may use, or raise FetchError. Never connects.

    An allow-list entry lets through the addresses it names (or every address of the host name it names), on its
    port or, without one, on every port.
    """
    allowed = allow_list(allow_hosts)
    try:
        parts = urlsplit(url.strip())
        port_number = parts.port
    except ValueError as exc:
        raise FetchError("bad_url", f"This is not a valid URL ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("bad_scheme", f"Only http and https URLs can be captured, not {scheme or 'this'!r}.")
    if parts.username is not None or parts.password is not None:
        # user@host URLs are a classic way to make a reader misjudge the host; nothing to log in to anyway.
        raise FetchError("bad_url", "URLs with a user name or password are not captured.")
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise FetchError("bad_url", "The URL has no host name.")
    try:
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchError("bad_url", f"The host name {raw_host!r} is not valid.") from exc
    port = port_number or (443 if scheme == "https" else 80)
    literal = parse_ip_literal(host)
    addresses = [literal] if literal is not None else resolver(host, port)
    if not addresses:
        raise FetchError("dns", f"The host name {host!r} has no address.")
    host_by_name = literal is None and any(entry.matches(host, None, port) for entry in allowed)
    for address in addresses:
        if host_by_name or any(entry.matches(host, address, port) for entry in allowed):
            continue
        reason = refusal_reason(address)
        if reason:
            raise FetchError("refused_address", f"Refused to fetch {host}: {reason}.")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    request_target = path + (f"?{quote(parts.query, safe='/%:@!$&()*+,;=-._~?')}" if parts.query else "")
    display = host
    if literal is not None:
        display = f"[{literal}]" if literal.version == 6 else str(literal)
    default_port = 443 if scheme == "https" else 80
    host_header = display if port == default_port else f"{display}:{port}"
    return Target(scheme, host, port, tuple(addresses), request_target, host_header)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or HTTP date), clamped to [0, 300]."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), RETRY_AFTER_MAX_SECONDS)


class Fetcher:
    """Fetch one URL following at most `max_redirects` redirects, each hop checked before connecting."""

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        allow_hosts: Iterable[str | AllowEntry] = (),
        user_agent: str = DEFAULT_USER_AGENT,
        max_bytes: int = MAX_BYTES,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        total_timeout: float = TOTAL_TIMEOUT_SECONDS,
        max_redirects: int = MAX_REDIRECTS,
        ca_certs: str | None = None,
    ) -> None:
        self.resolver = resolver
        self.allow_hosts = allow_list(allow_hosts)
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.max_redirects = max_redirects
        self.ca_certs = ca_certs or certifi.where()

    def fetch(self, url: str) -> FetchResult:
        deadline = time.monotonic() + self.total_timeout
        current = url
        redirects: list[str] = []
        while True:
            target = check_url(current, resolver=self.resolver, allow_hosts=self.allow_hosts)
            pool, response = self._open(target, deadline)
            try:
                status = response.status
                location = response.headers.get("Location")
                if status in _REDIRECTS and location:
                    if len(redirects) >= self.max_redirects:
                        raise FetchError(
                            "too_many_redirects", f"The page redirected more than {self.max_redirects} times."
                        )
                    current = urljoin(current, location.strip())
                    redirects.append(current)
                    continue
                _raise_for_status(status, response.headers.get("Retry-After"))
                content_type, charset = _content_type(response.headers.get("Content-Type"))
                body = self._read(response, deadline) if content_type in TEXT_TYPES else None
                return FetchResult(url, current, status, content_type, charset, body, tuple(redirects))
            finally:
                response.close()
                pool.close()

    def _pool(self, target: Target, address: IPAddress, deadline: float) -> urllib3.HTTPConnectionPool:
        remaining = self._remaining(deadline)
        timeout = urllib3.Timeout(connect=min(self.connect_timeout, remaining), read=remaining)
        headers = {
            "Host": target.host_header,
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "identity",
        }
        if target.scheme == "https":
            # Connect to the checked address; the certificate and SNI still name the host.
            server_name = target.host if parse_ip_literal(target.host) is None else None
            return urllib3.HTTPSConnectionPool(
                str(address),
                target.port,
                timeout=timeout,
                headers=headers,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.ca_certs,
                assert_hostname=target.host,
                server_hostname=server_name,
            )
        return urllib3.HTTPConnectionPool(str(address), target.port, timeout=timeout, headers=headers, retries=False)

    def _open(self, target: Target, deadline: float) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
        """Connect to the first checked address that answers; never to anything check_url did not approve."""
        last_error = FetchError("connection", f"Could not connect to {target.host}.", transient=True)
        for address in target.addresses:
            pool = self._pool(target, address, deadline)
            try:
                response = pool.urlopen(
                    "GET",
                    target.request_target,
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    assert_same_host=False,
                )
            except SSLError as exc:
                pool.close()
                raise FetchError("tls", f"The TLS connection to {target.host} failed ({_short(exc)}).") from exc
            except NewConnectionError as exc:
                last_error = FetchError(
                    "connection", f"Could not connect to {target.host} ({_short(exc)}).", transient=True
                )
            except Urllib3Timeout:
                last_error = FetchError("timeout", f"{target.host} did not answer in time.", transient=True)
            except (HTTPError, OSError) as exc:
                last_error = FetchError(
                    "connection", f"The connection to {target.host} failed ({_short(exc)}).", transient=True
                )
            else:
                return pool, response
            pool.close()
        raise last_error

    def _read(self, response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError("too_large", f"The page is larger than {self.max_bytes // (1024 * 1024)} MiB.")
        chunks: list[bytes] = []
        size = 0
        sock = getattr(getattr(response, "connection", None), "sock", None)
        try:
            while True:
                remaining = self._remaining(deadline)
                if sock is not None:
                    sock.settimeout(remaining)
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError("too_large", f"The page is larger than {self.max_bytes // (1024 * 1024)} MiB.")
                chunks.append(chunk)
        except Urllib3Timeout as exc:
            raise FetchError("timeout", "The page took too long to download.", transient=True) from exc
        except (HTTPError, OSError) as exc:
            raise FetchError("connection", f"The download broke off ({_short(exc)}).", transient=True) from exc
        return b"".join(chunks)

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", f"The fetch took longer than {self.total_timeout:g} seconds.", transient=True)
        return remaining


def _raise_for_status(status: int, retry_after: str | None) -> None:
    if 200 <= status < 300:
        return
    if status == 429:
        raise FetchError(
            "rate_limited",
            "The site asked us to slow down (429 Too Many Requests).",
            transient=True,
            http_status=status,
            retry_after=parse_retry_after(retry_after),
        )
    if status >= 500:
        raise FetchError(
            "server_error",
            f"The site had an error (HTTP {status}).",
            transient=True,
            http_status=status,
            retry_after=parse_retry_after(retry_after),
        )
    label = {404: "the page was not found", 410: "the page is gone", 401: "it needs a login", 403: "access is denied"}
    raise FetchError(
        "http_error",
        f"The site answered HTTP {status}" + (f": {label[status]}." if status in label else "."),
        http_status=status,
    )


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "application/octet-stream", None
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
