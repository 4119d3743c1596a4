import ipaddress
import shutil
import socket
import ssl
import subprocess

import pytest

from fbrain.bookmarks.fetcher import Fetcher, FetchError, check_url, parse_retry_after
from fbrain.bookmarks.tests.fixture_server import FixtureServer

LOCAL = ["127.0.0.1/32"]


def resolver_of(*addresses):
    """A resolver that answers fixed addresses and records what it was asked."""
    asked = []

    def resolve(host, port):
        asked.append((host, port))
        return [ipaddress.ip_address(a) for a in addresses]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


@pytest.fixture
def no_connect(monkeypatch):
    """Fail the test if anything tries to open a socket connection."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise AssertionError(f"connection attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://[2002:a9fe:a9fe::]/",
        "http://[fd00:ec2::254]/",
        "http://[fe80::1%25eth0]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/",
        "https://10.0.0.1:8443/",
        "http://192.168.0.1./",
        "http://user:pass@127.0.0.1@evil.test/",
    ],
)
def test_check_url_refuses_literal_internal_addresses_without_connecting(url, no_connect):
    with pytest.raises(FetchError) as caught:
        # A resolver answering loopback: even a wrong verdict could not leave this machine.
        Fetcher(resolver=resolver_of("127.0.0.9")).fetch(url)
    assert caught.value.reason in ("refused_address", "bad_url")
    assert not caught.value.transient
    assert no_connect == []


@pytest.mark.parametrize(
    "addresses",
    [["10.0.0.5"], ["169.254.169.254"], ["::1"], ["93.184.215.14", "192.168.1.1"], ["::ffff:10.0.0.1"]],
)
def test_check_url_refuses_names_that_resolve_to_internal_addresses(addresses, no_connect):
    resolve = resolver_of(*addresses)
    with pytest.raises(FetchError) as caught:
        Fetcher(resolver=resolve).fetch("https://intranet.example.test/admin")
    assert caught.value.reason == "refused_address"
    assert "Refused" in caught.value.message
    assert resolve.asked == [("intranet.example.test", 443)]
    assert no_connect == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)", "//x"]
)
def test_check_url_refuses_other_schemes(url):
    with pytest.raises(FetchError) as caught:
        check_url(url, resolver=resolver_of("93.184.215.14"))
    assert caught.value.reason == "bad_scheme"


@pytest.mark.parametrize("url", ["http://", "http://exa mple.com:99999/", "http://[::1/"])
def test_check_url_refuses_malformed_urls(url):
    with pytest.raises(FetchError):
        check_url(url, resolver=resolver_of("93.184.215.14"))


def test_check_url_keeps_host_header_and_quotes_the_path():
    target = check_url("https://Bücher.example/a b?q=1 2#frag", resolver=resolver_of("93.184.215.14"))
    assert target.host == "xn--bcher-kva.example"
    assert target.host_header == "xn--bcher-kva.example"
    assert target.request_target == "/a%20b?q=1%202"
    assert target.addresses == (ipaddress.ip_address("93.184.215.14"),)
    assert check_url("http://[2606:4700::1]:8080/", resolver=resolver_of()).host_header == "[2606:4700::1]:8080"


def test_check_url_allow_list_matches_names_and_networks():
    resolve = resolver_of("127.0.0.1")
    assert check_url("http://fixture.test/", resolver=resolve, allow_hosts=["fixture.test"]).host == "fixture.test"
    assert check_url("http://127.0.0.1:9/", resolver=resolve, allow_hosts=LOCAL).port == 9
    with pytest.raises(FetchError):
        check_url("http://127.0.0.2/", resolver=resolve, allow_hosts=LOCAL)
    with pytest.raises(FetchError):
        check_url("http://other.test/", resolver=resolver_of("10.0.0.1"), allow_hosts=["fixture.test", "", "[::1]"])


@pytest.fixture
def other_server():
    """A second loopback listener: another port on the same host."""
    server = FixtureServer().start()
    yield server
    server.stop()


@pytest.mark.parametrize("entry", ["127.0.0.1:{port}", "127.0.0.0/8:{port}", "localhost:{port}"])
def test_an_allow_list_entry_with_a_port_opens_that_port_only(page_server, other_server, entry):
    fetcher = Fetcher(allow_hosts=[entry.format(port=page_server.port)])
    host = "localhost" if entry.startswith("localhost") else "127.0.0.1"

    assert fetcher.fetch(f"http://{host}:{page_server.port}/page").http_status == 200
    with pytest.raises(FetchError) as refused:
        fetcher.fetch(f"http://{host}:{other_server.port}/page")
    assert refused.value.reason == "refused_address"
    assert other_server.hits["/page"] == 0


def test_a_redirect_to_another_port_of_an_allowed_host_port_is_refused(page_server, other_server):
    fetcher = Fetcher(allow_hosts=[f"127.0.0.1:{page_server.port}"])

    with pytest.raises(FetchError) as refused:
        fetcher.fetch(page_server.url(f"/redirect-to?url={other_server.url('/page')}"))
    assert refused.value.reason == "refused_address"
    assert other_server.hits["/page"] == 0


def test_an_allow_list_entry_without_a_port_opens_every_port(page_server, other_server):
    fetcher = Fetcher(allow_hosts=["127.0.0.1"])

    assert fetcher.fetch(page_server.url("/page")).http_status == 200
    assert fetcher.fetch(other_server.url("/page")).http_status == 200


def test_system_resolver_reports_unknown_names(monkeypatch):
    # No real lookup: a DNS query would leave the machine.
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError) as caught:
        check_url("http://does-not-exist.invalid/")
    assert caught.value.reason == "dns"
    assert not caught.value.transient


def test_check_url_refuses_a_name_without_addresses():
    with pytest.raises(FetchError) as caught:
        check_url("http://empty.test/", resolver=resolver_of())
    assert caught.value.reason == "dns"


def test_system_resolver_resolves_localhost_then_refuses_it():
    with pytest.raises(FetchError) as caught:
        check_url("http://localhost/")
    assert caught.value.reason == "refused_address"


def test_fetch_reads_a_page_and_sends_the_original_host_and_user_agent(page_server):
    result = Fetcher(allow_hosts=LOCAL, user_agent="F_BRAIN-test/1").fetch(page_server.url("/page"))
    assert result.http_status == 200
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.body is not None
    assert b"The Art of Linking Notes" in result.body
    _path, headers = page_server.requests[-1]
    assert headers["Host"] == f"127.0.0.1:{page_server.port}"
    assert headers["User-Agent"] == "F_BRAIN-test/1"


def test_fetch_connects_to_the_resolved_address_not_the_name(page_server):
    resolve = resolver_of("127.0.0.1")
    url = f"http://pages.fixture.test:{page_server.port}/page"
    result = Fetcher(resolver=resolve, allow_hosts=LOCAL).fetch(url)
    assert result.final_url == url
    assert page_server.requests[-1][1]["Host"] == f"pages.fixture.test:{page_server.port}"
    assert resolve.asked == [("pages.fixture.test", page_server.port)]


def test_fetch_follows_redirects_and_checks_each_hop(page_server):
    result = Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/redirect?n=3"))
    assert result.final_url == page_server.url("/page")
    assert len(result.redirects) == 3


def test_fetch_stops_after_five_redirects(page_server):
    assert Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/redirect?n=5")).http_status == 200
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/redirect?n=6"))
    assert caught.value.reason == "too_many_redirects"
    with pytest.raises(FetchError):
        Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/loop"))


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://0x7f000002/",
        "http://127.0.0.2/",
        "file:///etc/passwd",
    ],
)
def test_fetch_refuses_a_redirect_into_private_space(page_server, location):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(page_server.url(f"/redirect-to?url={location}"))
    assert caught.value.reason in ("refused_address", "bad_scheme")
    assert [path for path, _ in page_server.requests] == ["/redirect-to"]


def test_fetch_times_out_on_a_slow_server(page_server):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL, total_timeout=0.5).fetch(page_server.url("/slow?s=2"))
    assert caught.value.reason == "timeout"
    assert caught.value.transient


def test_fetch_bounds_the_whole_download_not_each_read(page_server):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL, total_timeout=0.6).fetch(page_server.url("/trickle?gap=0.02"))
    assert caught.value.reason == "timeout"


@pytest.mark.parametrize("declare", ["0", "1"])
def test_fetch_stops_reading_past_the_size_limit(page_server, declare):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(page_server.url(f"/huge?mib=6&declare={declare}"))
    assert caught.value.reason == "too_large"
    assert not caught.value.transient


def test_fetch_keeps_metadata_only_for_other_content_types(page_server):
    result = Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/pdf"))
    assert result.content_type == "application/pdf"
    assert result.body is None


def test_fetch_reads_plain_text(page_server):
    result = Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/plain"))
    assert result.content_type == "text/plain"
    assert result.body is not None
    assert result.body.startswith(b"Plain notes")


@pytest.mark.parametrize(("status", "transient"), [(500, True), (503, True), (404, False), (403, False), (410, False)])
def test_fetch_classifies_http_errors(page_server, status, transient):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(page_server.url(f"/error?status={status}"))
    assert caught.value.http_status == status
    assert caught.value.transient is transient
    assert str(status) in caught.value.message


def test_fetch_reports_429_with_its_retry_after(page_server):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(page_server.url("/ratelimited?after=7"))
    assert caught.value.reason == "rate_limited"
    assert caught.value.transient
    assert caught.value.retry_after == 7


def test_fetch_reports_refused_connections_as_transient(page_server):
    port = page_server.port
    page_server.stop()
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(f"http://127.0.0.1:{port}/page")
    assert caught.value.reason == "connection"
    assert caught.value.transient


def test_fetch_reports_tls_failures_as_permanent(page_server):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_hosts=LOCAL).fetch(f"https://127.0.0.1:{page_server.port}/page")
    assert caught.value.reason in ("tls", "connection")


def test_parse_retry_after_accepts_seconds_and_dates_and_clamps():
    assert parse_retry_after("5") == 5
    assert parse_retry_after("100000") == 300
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=0) == 60


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS fixture server on 127.0.0.1 whose certificate names `pages.fixture.test` only."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=pages.fixture.test",
            "-addext",
            "subjectAltName=DNS:pages.fixture.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = FixtureServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.start()
    yield server, str(cert)
    server.stop()


def test_https_connects_to_the_checked_address_with_the_host_name_for_sni_and_certificate(tls_server):
    server, ca = tls_server
    resolve = resolver_of("127.0.0.1")
    url = f"https://pages.fixture.test:{server.port}/page"
    result = Fetcher(resolver=resolve, allow_hosts=LOCAL, ca_certs=ca).fetch(url)
    assert result.http_status == 200
    assert server.requests[-1][1]["Host"] == f"pages.fixture.test:{server.port}"


def test_https_refuses_a_certificate_for_another_name(tls_server):
    server, ca = tls_server
    with pytest.raises(FetchError) as caught:
        Fetcher(resolver=resolver_of("127.0.0.1"), allow_hosts=LOCAL, ca_certs=ca).fetch(
            f"https://other.fixture.test:{server.port}/page"
        )
    assert caught.value.reason == "tls"
    assert not caught.value.transient
