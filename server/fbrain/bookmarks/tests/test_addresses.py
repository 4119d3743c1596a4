import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fbrain.bookmarks.addresses import (
    AllowEntry,
    allow_list,
    embedded_ipv4,
    is_public,
    parse_allow_entry,
    parse_ip_literal,
    parse_ipv4_loose,
    refusal_reason,
)

REFUSED = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",  # noqa: S104
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.100.100.200",
    "100.64.0.1",
    "192.0.0.192",
    "192.0.2.1",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "fd00:ec2::254",
    "fc00::1",
    "ff02::1",
    "fec0::1",
    "2001:db8::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1",
    "2002:7f00:1::1",
    "2002:a9fe:a9fe::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "100::1",
]
PUBLIC = ["93.184.215.14", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("text", REFUSED)
def test_refusal_reason_refuses_special_addresses(text):
    assert refusal_reason(ipaddress.ip_address(text)) is not None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("255.255.255.255", "255.255.255.255 is the broadcast address"),
        ("::ffff:255.255.255.255", "255.255.255.255 is the broadcast address (embedded in ::ffff:ffff:ffff)"),
        ("10.1.2.3", "10.1.2.3 is a private address"),
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ],
)
def test_refusal_reason_names_the_kind_of_address(text, reason):
    assert refusal_reason(ipaddress.ip_address(text)) == reason


@pytest.mark.parametrize("text", PUBLIC)
def test_refusal_reason_accepts_public_unicast(text):
    assert refusal_reason(ipaddress.ip_address(text)) is None


@pytest.mark.parametrize(
    "spelling",
    [
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "0177.0.0.1",
        "0177.0.0.01",
        "127.1",
        "127.0.1",
        "0x7F.0.0.0x1",
        "127.0.0.1.",
    ],
)
def test_parse_ipv4_loose_reads_every_loopback_spelling(spelling):
    assert parse_ipv4_loose(spelling) == ipaddress.IPv4Address("127.0.0.1")


@pytest.mark.parametrize("text", ["example.com", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "1..2", "", "0x", "4294967296"])
def test_parse_ipv4_loose_rejects_names_and_overflows(text):
    if text == "0x":
        assert parse_ipv4_loose(text) == ipaddress.IPv4Address(0)
    else:
        assert parse_ipv4_loose(text) is None


def test_parse_ip_literal_reads_bracketed_ipv6_and_zone_ids():
    assert parse_ip_literal("[::1]") == ipaddress.IPv6Address("::1")
    assert parse_ip_literal("fe80::1%eth0") == ipaddress.IPv6Address("fe80::1")
    assert parse_ip_literal("[nonsense:]") is None
    assert parse_ip_literal("example.org") is None


def test_embedded_ipv4_reads_mapped_6to4_and_nat64():
    assert embedded_ipv4(ipaddress.IPv6Address("::ffff:1.2.3.4")) == ipaddress.IPv4Address("1.2.3.4")
    assert embedded_ipv4(ipaddress.IPv6Address("2002:0102:0304::")) == ipaddress.IPv4Address("1.2.3.4")
    assert embedded_ipv4(ipaddress.IPv6Address("64:ff9b::0102:0304")) == ipaddress.IPv4Address("1.2.3.4")
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1")) is None


ipv4s = st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address)
PRIVATE_NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12")]


@given(ipv4s)
def test_ipv4_verdict_survives_every_ipv6_wrapping(address):
    verdict = is_public(address)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80) | 1)
    assert is_public(mapped) == verdict
    assert is_public(nat64) == verdict
    assert is_public(sixtofour) == verdict


@given(ipv4s)
def test_every_inet_aton_spelling_parses_to_the_same_address(address):
    value = int(address)
    octets = [int(part) for part in str(address).split(".")]
    spellings = [
        str(value),
        hex(value),
        ".".join(oct(o).replace("0o", "0") for o in octets),
        ".".join(hex(o) for o in octets),
        f"{octets[0]}.{value & 0xFFFFFF}",
        f"{octets[0]}.{octets[1]}.{value & 0xFFFF}",
    ]
    for spelling in spellings:
        assert parse_ipv4_loose(spelling) == address, spelling


@given(st.sampled_from(PRIVATE_NETS), st.integers(min_value=0, max_value=2**24))
def test_any_address_in_private_ranges_is_refused(network, offset):
    address = network[offset % network.num_addresses]
    assert not is_public(address)
    assert not is_public(ipaddress.IPv6Address(f"::ffff:{address}"))


@given(st.integers(min_value=0, max_value=2**128 - 1).map(ipaddress.IPv6Address))
def test_accepted_ipv6_is_global_and_unicast(address):
    if is_public(address):
        assert address.is_global
        assert not address.is_multicast
        assert not address.is_link_local


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("Fixture.Test", AllowEntry(host="fixture.test")),
        ("fixture.test:8080", AllowEntry(host="fixture.test", port=8080)),
        ("localhost.:80", AllowEntry(host="localhost", port=80)),
        ("127.0.0.1", AllowEntry(network=ipaddress.ip_network("127.0.0.1/32"))),
        ("127.0.0.1:9000", AllowEntry(network=ipaddress.ip_network("127.0.0.1/32"), port=9000)),
        ("10.1.0.0/16:443", AllowEntry(network=ipaddress.ip_network("10.1.0.0/16"), port=443)),
        ("::1", AllowEntry(network=ipaddress.ip_network("::1/128"))),
        ("fd00::/8", AllowEntry(network=ipaddress.ip_network("fd00::/8"))),
        ("[::1]:8080", AllowEntry(network=ipaddress.ip_network("::1/128"), port=8080)),
        ("[fd00::/8]", AllowEntry(network=ipaddress.ip_network("fd00::/8"))),
    ],
)
def test_parse_allow_entry_reads_hosts_networks_and_ports(text, entry):
    assert parse_allow_entry(text) == entry


@pytest.mark.parametrize(
    "text",
    [
        "",
        "host:",
        "host:0",
        "host:65536",
        "host:80:80",
        "127.0.0.1:-1",
        "999.1.1.1",
        "10.0.0.0/33",
        "bad_/host",
        "exa mple.test",
        "-leading.test",
        "http://fixture.test",
        "[::1",
        "[::1]8080",
        "[127.0.0.1]:80",
        "::1:8080:x",
    ],
)
def test_parse_allow_entry_refuses_malformed_entries(text):
    with pytest.raises(ValueError):
        parse_allow_entry(text)


def test_an_allow_entry_with_a_port_matches_that_port_only():
    by_address = parse_allow_entry("127.0.0.0/8:9000")
    by_name = parse_allow_entry("fixture.test:9000")
    loopback = ipaddress.ip_address("127.0.0.5")

    assert by_address.matches("127.0.0.5", loopback, 9000)
    assert not by_address.matches("127.0.0.5", loopback, 9001)
    assert not by_address.matches("127.0.0.5", None, 9000)
    assert by_name.matches("fixture.test", None, 9000)
    assert not by_name.matches("fixture.test", None, 80)
    assert not by_name.matches("fixture.test", loopback, 9000)
    assert parse_allow_entry("127.0.0.1").matches("127.0.0.1", ipaddress.ip_address("127.0.0.1"), 1)


def test_allow_list_takes_text_or_parsed_entries_and_skips_blank_text():
    entry = AllowEntry(host="a.test")

    assert allow_list([entry, " ", "b.test:1"]) == (entry, AllowEntry(host="b.test", port=1))
