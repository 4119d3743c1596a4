#!/usr/bin/env python3
"""HTTP half of scripts/smoke-compose.sh: app checks (readiness, login, API, edge proxy), Prometheus targets.

Standard library only (runs on the host, outside the image). Exit 0 when every check passes.
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import json
import secrets
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class Client:
    """A tiny cookie-keeping HTTP client that never raises on 4xx/5xx."""

    def __init__(self, base: str, insecure: bool) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context()
        if insecure:  # the smoke test's own self-signed certificate
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context)
        )
        self.no_redirect = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=context),
            NoRedirect(),
        )
        self.headers: dict[str, str] = {}

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
        timeout: float = 10.0,
    ) -> tuple[int, dict[str, str], bytes]:
        url = path if path.startswith("http") else self.base + path
        merged = {**self.headers, **(headers or {})}
        req = urllib.request.Request(url, data=data, method=method, headers=merged)  # noqa: S310 (http/https only)
        opener = self.opener if follow else self.no_redirect
        try:
            with opener.open(req, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        csrf = self.cookie("csrftoken")
        if csrf and method not in {"GET", "HEAD"}:
            headers["X-CSRFToken"] = csrf
            headers["Referer"] = self.base + "/"
        status, _, raw = self.request(method, path, data=data, headers=headers, **kw)
        try:
            return status, json.loads(raw or b"null")
        except ValueError:
            return status, raw[:200].decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def ok(message: str) -> None:
    print(f"  ok   {message}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"  FAIL {message}")


def wait_ready(client: Client, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            status, body = client.json("GET", "/readyz", timeout=5)
        except OSError as exc:
            status, body = 0, str(exc)
        if status == 200:
            ok(f"/readyz 200 {json.dumps(body, separators=(',', ':'))[:300]}")
            return
        last = (status, body)
        time.sleep(2)
    fail(f"/readyz not 200 after {timeout:g}s: {last}")


def login(client: Client, username: str, password: str) -> None:
    status, _, _ = client.request("GET", "/accounts/login/")
    csrf = client.cookie("csrftoken")
    if status != 200 or not csrf:
        fail(f"GET /accounts/login/ -> {status}, csrftoken cookie {'set' if csrf else 'missing'}")
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    status, _, _ = client.request(
        "POST",
        "/accounts/login/",
        data=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": client.base + "/accounts/login/"},
        follow=False,
    )
    if status != 302 or not client.cookie("sessionid"):
        fail(f"login as {username!r} -> {status} (expected 302 and a session cookie)")
    ok(f"logged in as {username!r} (session)")


def use_token_if_available(client: Client) -> None:
    """Prefer token auth when the tokens API exists (POST /api/v1/tokens/ with the session)."""
    status, body = client.json("POST", "/api/v1/tokens/", {"name": "smoke"})
    token = body.get("token") or body.get("key") if isinstance(body, dict) else None
    if status in (200, 201) and token:
        client.headers["Authorization"] = f"Token {token}"
        ok("API token created; continuing with token auth")
    elif status in (404, 405):
        print("  --   tokens API not present yet: using the session", flush=True)
    else:
        print(f"  --   tokens API answered {status}: using the session ({str(body)[:120]})", flush=True)


def check_status(client: Client, expect_version: str | None) -> None:
    status, body = client.json("GET", "/api/v1/status")
    if status != 200 or not isinstance(body, dict):
        fail(f"GET /api/v1/status -> {status} {str(body)[:300]}")
    if expect_version and body.get("version") != expect_version:
        fail(f"/api/v1/status version {body.get('version')!r}, expected {expect_version!r}")
    ok(f"/api/v1/status 200 version={body.get('version')} revision={body.get('revision')}")


def sign_up(base: str, insecure: bool) -> Client | None:
    """A new user through the API: sign up, then exchange the password for a token."""
    client = Client(base, insecure)
    username = f"smoke-user-{int(time.time())}"
    password = secrets.token_urlsafe(24)
    status, body = client.json("POST", "/api/v1/auth/signup", {"username": username, "password": password})
    if status == 404 or (isinstance(body, dict) and body.get("error", {}).get("code") == "signup_disabled"):
        print(f"  --   sign-up API not available ({status}): the note is created as the staff user", flush=True)
        return None
    if status != 201:
        fail(f"POST /api/v1/auth/signup -> {status} {str(body)[:300]}")
    status, body = client.json("POST", "/api/v1/auth/token", {"username": username, "password": password})
    token = body.get("token") if isinstance(body, dict) else None
    if status != 201 or not token:
        fail(f"POST /api/v1/auth/token -> {status} {str(body)[:300]}")
    client.headers["Authorization"] = f"Token {token}"
    ok(f"signed up {username!r} through the API and got a token")
    return client


def check_note(client: Client) -> None:
    title = f"smoke note {int(time.time())}"
    status, body = client.json("POST", "/api/v1/notes/", {"title": title, "body": "Created by the smoke test."})
    if status == 404:
        print("  --   notes API not present yet: skipped", flush=True)
        return
    if status != 201 or not isinstance(body, dict):
        fail(f"POST /api/v1/notes/ -> {status} {str(body)[:300]}")
    note_id = body.get("id")
    status, got = client.json("GET", f"/api/v1/notes/{note_id}/")
    if status != 200 or not isinstance(got, dict) or got.get("title") != title:
        fail(f"GET /api/v1/notes/{note_id}/ -> {status} {str(got)[:300]}")
    ok(f"note {note_id} created and read back through the API")


def check_edge(client: Client, http_base: str | None) -> None:
    """Edge-proxy behaviour: /metrics hidden, static files, gzip, security headers, HTTPS redirect."""
    status, _, _ = client.request("GET", "/metrics")
    if status != 404:
        fail(f"/metrics through the proxy -> {status} (expected 404)")
    ok("/metrics not exposed by the proxy (404)")

    status, headers, raw = client.request("GET", "/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"})
    if status != 200 or headers.get("content-encoding") != "gzip" or "max-age" not in headers.get("cache-control", ""):
        fail(f"static file -> {status} encoding={headers.get('content-encoding')} cache={headers.get('cache-control')}")
    if b"body" not in gzip.decompress(raw):
        fail("static file content is not the admin stylesheet")
    ok("static file served by the proxy (gzip, cache headers)")

    status, headers, _ = client.request("GET", "/accounts/login/")
    wanted = ["x-content-type-options", "x-frame-options", "referrer-policy", "strict-transport-security"]
    missing = [h for h in wanted if h not in headers]
    if status != 200 or missing:
        fail(f"/accounts/login/ -> {status}, missing security headers {missing}")
    if "nginx/" in headers.get("server", ""):
        fail(f"server version disclosed: {headers['server']}")
    ok("security headers present, no server version")

    if http_base:
        status, headers, _ = client.request("GET", http_base.rstrip("/") + "/accounts/login/", follow=False)
        if status != 301 or not headers.get("location", "").startswith("https://"):
            fail(f"plain HTTP -> {status} {headers.get('location')} (expected 301 to https)")
        ok("plain HTTP redirects to HTTPS")


def check_targets(url: str, services: set[str], timeout: float) -> None:
    """Every Prometheus target that belongs to a started service reports up."""
    deadline = time.monotonic() + timeout
    pending: list[str] = []
    while True:
        client = Client(url, insecure=False)
        status, body = client.json("GET", "/api/v1/targets?state=active")
        targets = body.get("data", {}).get("activeTargets", []) if isinstance(body, dict) else []
        ours, ignored, pending = [], [], []
        for target in targets:
            host = urllib.parse.urlsplit(target.get("scrapeUrl", "")).hostname or ""
            # DNS-discovered targets scrape an IP; their instance label keeps the name.
            names = {host, target.get("labels", {}).get("instance", "").split(":")[0]}
            service = next((s for s in services if s in names), None)
            label = f"{target.get('labels', {}).get('job')}={host}"
            if service is None:
                ignored.append(label)
            elif target.get("health") == "up":
                ours.append(label)
            else:
                pending.append(f"{label} ({target.get('health')}: {target.get('lastError') or 'not scraped yet'})")
        if status == 200 and ours and not pending:
            ok(f"Prometheus targets up: {', '.join(sorted(ours))}")
            if ignored:
                print(f"  --   targets of services not started (ignored): {', '.join(sorted(ignored))}", flush=True)
            return
        if time.monotonic() > deadline:
            fail(f"Prometheus targets not up after {timeout:g}s: {pending or body}")
        time.sleep(3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    app = sub.add_parser("app", help="readiness, login, status API, note, edge checks")
    app.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8000")
    app.add_argument("--username", required=True)
    app.add_argument("--password", required=True)
    app.add_argument("--insecure", action="store_true", help="accept a self-signed certificate")
    app.add_argument("--edge", action="store_true", help="also check edge-proxy behaviour")
    app.add_argument("--http-base", help="plain-HTTP URL of the proxy, to check the HTTPS redirect")
    app.add_argument("--expect-version", help="APP_VERSION that /api/v1/status must report")
    app.add_argument("--ready-timeout", type=float, default=90.0)
    targets = sub.add_parser("targets", help="Prometheus targets of started services are up")
    targets.add_argument("--url", required=True, help="Prometheus base URL")
    targets.add_argument("--services", required=True, help="comma list of started compose services")
    targets.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args()

    if args.command == "targets":
        check_targets(args.url, {s for s in args.services.split(",") if s}, args.timeout)
        return 0

    client = Client(args.base, args.insecure)
    wait_ready(client, args.ready_timeout)
    status, _, _ = client.request("GET", "/healthz")
    if status != 200:
        fail(f"/healthz -> {status}")
    ok("/healthz 200")
    login(client, args.username, args.password)
    use_token_if_available(client)
    check_status(client, args.expect_version)
    check_note(sign_up(args.base, args.insecure) or client)
    if args.edge:
        check_edge(client, args.http_base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
