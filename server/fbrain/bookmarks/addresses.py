"""Which network addresses the capture fetcher may connect to: public unicast only, every spelling; the allow-list."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges refused on top of what `ipaddress` flags as private/reserved/etc., named for the reader.
_DENIED_V4 = [
    ipaddress.IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT; also Alibaba Cloud metadata at 100.100.100.200
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local; cloud metadata at 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments (incl. Oracle Cloud metadata 192.0.0.192)
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]
_DENIED_V6 = [
    ipaddress.IPv6Network(cidr)
    for cidr in (
        "::/96",  # unspecified, loopback, deprecated IPv4-compatible
        "::ffff:0:0:0/96",  # IPv4-translated
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, incl. Teredo 2001::/32
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local (incl. AWS metadata fd00:ec2::254)
        "fe80::/10",
        "fec0::/10",  # deprecated site-local
        "ff00::/8",
    )
]
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")

_IPV4_PART = re.compile(r"^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")


def parse_ipv4_loose(text: str) -> ipaddress.IPv4Address | None:
    """Parse an IPv4 address in any spelling `inet_aton` accepts: `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`.

    Browsers and C resolvers accept these; a check that only knows dotted-quad would let them through.
    """
    text = text.rstrip(".") if text.count(".") <= 4 else text
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.match(part) for part in parts):
        return None
    numbers = []
    for part in parts:
        if part[:2] in ("0x", "0X"):
            numbers.append(int(part[2:] or "0", 16))
        elif part.startswith("0") and len(part) > 1:
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    *head, last = numbers
    if any(number > 255 for number in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for number in head:
        value = value << 8 | number
    value = value << 8 * (4 - len(head)) | last
    return ipaddress.IPv4Address(value)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host names literally (IPv6 in brackets or not, any IPv4 spelling), else None."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    return parse_ipv4_loose(host)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv4-mapped, 6to4 or well-known NAT64 IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why the fetcher must not connect to `address`, or None when it is public unicast."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = refusal_reason(inner)
            return f"{reason} (embedded in {address})" if reason else None
        denied: list[ipaddress.IPv4Network] | list[ipaddress.IPv6Network] = _DENIED_V6
    else:
        denied = _DENIED_V4
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address == _BROADCAST:
        return f"{address} is the broadcast address"
    if address.is_link_local:
        return f"{address} is a link-local address (cloud metadata lives there)"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if address.is_private:
        return f"{address} is a private address"
    if address.is_reserved:
        return f"{address} is a reserved address"
    if any(address in network for network in denied):
        return f"{address} is in a special-purpose range"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def is_public(address: IPAddress) -> bool:
    return refusal_reason(address) is None


_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


@dataclass(frozen=True)
class AllowEntry:
    """One CAPTURE_ALLOW_HOSTS entry: a host name or a network, on one port or (without a port) on every port."""

    host: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    def matches(self, host: str, address: IPAddress | None, port: int) -> bool:
        """Whether a connection to `host` (at `address`, when checking one) on `port` is allowed by this entry."""
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address is not None and address in self.network
        return address is None and host == self.host


def parse_allow_entry(text: str) -> AllowEntry:
    """Parse `host`, `host:port`, `IP`, `IP:port`, `CIDR`, `CIDR:port`; IPv6 with a port in brackets (`[::1]:8080`).

    Raises ValueError saying what is wrong: a malformed entry must stop start-up, not silently match nothing.
    """
    entry = text.strip().lower()
    if not entry:
        raise ValueError("an empty entry")
    if "://" in entry:
        raise ValueError("a host, address or network, not a URL (drop the scheme)")
    port_text: str | None = None
    if entry.startswith("["):
        inside, bracket, rest = entry[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError("expected [IPv6] or [IPv6]:port")
        host_text, port_text = inside, (rest[1:] if rest else None)
        network = _network(host_text)
        if network is None or network.version != 6:
            raise ValueError(f"{host_text!r} in brackets is not an IPv6 address or network")
        return AllowEntry(network=network, port=_port(port_text))
    if entry.count(":") > 1:  # a bare IPv6 address or network; a port needs brackets
        network = _network(entry)
        if network is None or network.version != 6:
            raise ValueError("not an IPv6 address or network (write [IPv6]:port for a port)")
        return AllowEntry(network=network)
    host_text, colon, port_text = entry.partition(":")
    port = _port(port_text if colon else None)
    network = _network(host_text)
    if network is not None:
        return AllowEntry(network=network, port=port)
    if "/" in host_text or all(part.isdigit() for part in host_text.split(".")):
        raise ValueError(f"{host_text!r} is not a valid IPv4 address or network")
    try:
        host = host_text.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{host_text!r} is not a valid host name") from None
    if not host or not all(_HOST_LABEL.match(label) for label in host.split(".")):
        raise ValueError(f"{host_text!r} is not a valid host name")
    return AllowEntry(host=host, port=port)


def allow_list(entries: Iterable[str | AllowEntry]) -> tuple[AllowEntry, ...]:
    """Entries as AllowEntry; text is parsed (blank text skipped), so callers may pass settings or strings."""
    return tuple(
        entry if isinstance(entry, AllowEntry) else parse_allow_entry(entry)
        for entry in entries
        if isinstance(entry, AllowEntry) or entry.strip()
    )


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"port {text!r} is not a number from 1 to 65535")
    return int(text)
