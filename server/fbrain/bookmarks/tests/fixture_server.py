"""A local HTTP server that plays the internet for capture tests: pages, redirects, slow, huge, errors."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ARTICLE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>The Art of Linking Notes | Zettel Weekly</title>
<meta property="og:title" content="The Art of Linking Notes">
<meta name="description" content="Why small linked notes beat big folders.">
<meta property="og:site_name" content="Zettel Weekly">
<link rel="canonical" href="/articles/linking">
</head><body><nav>Home | About | Subscribe</nav>
<article><h1>The Art of Linking Notes</h1>
<p>Linked notes grow into a web of ideas. Each note holds one thought, and links say how thoughts relate.
This paragraph is long enough for a readability extractor to keep it as main content of the page.</p>
<p>Backlinks show where an idea was used before, which is how a second brain surfaces old thinking
at the moment it becomes useful again. Serendipity is the quiet reward of a well linked archive.</p>
</article><footer>Copyright Zettel Weekly</footer></body></html>"""


PARAGRAPHS = ARTICLE.split("<article>", 1)[1].split("</h1>", 1)[1].split("</article>", 1)[0]


class PageHandler(BaseHTTPRequestHandler):
    server: FixtureServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, dict(self.headers.items())))
        self.server.hits[parts.path] += 1
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_").replace("/", "__"), None)
        if route is None:
            self._send(404, b"<h1>Not found</h1>")
            return
        route(query)

    def route_page(self, query):
        self._send(200, ARTICLE.encode())

    def route_articles__linking(self, query):
        self._send(200, ARTICLE.encode())

    def route_titled(self, query):
        """A page whose `<h1>` is not its title; `?og=` adds an og:title, `?title=0` drops the `<title>`."""
        head = f'<meta property="og:title" content="{query["og"]}">' if "og" in query else ""
        if query.get("title") != "0":
            head += "<title>The page's own title</title>"
        body = f"<html><head>{head}</head><body><article><h1>A headline, not the title</h1>{PARAGRAPHS}</article>"
        self._send(200, (body + "</body></html>").encode())

    def route_plain(self, query):
        self._send(200, b"Plain notes\nsecond line\n", "text/plain; charset=utf-8")

    def route_latin1(self, query):
        body = "<html><head><title>Caf\u00e9 cr\u00e8me</title></head><body><p>D\u00e9j\u00e0 vu</p></body></html>"
        self._send(200, body.encode("latin-1"), "text/html; charset=iso-8859-1")

    def route_pdf(self, query):
        self._send(200, b"%PDF-1.4 not really", "application/pdf")

    def route_redirect(self, query):
        hops = int(query.get("n", "1"))
        target = f"/redirect?n={hops - 1}" if hops > 1 else query.get("to", "/page")
        self._send(int(query.get("status", "302")), b"", Location=target)

    def route_redirect_to(self, query):
        self._send(302, b"", Location=query["url"])

    def route_loop(self, query):
        self._send(301, b"", Location="/loop")

    def route_slow(self, query):
        time.sleep(float(query.get("s", "2")))
        self._send(200, ARTICLE.encode())

    def route_trickle(self, query):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(float(query.get("gap", "0.05")))
        except OSError:
            return

    def route_huge(self, query):
        size = int(query.get("mib", "6")) * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if query.get("declare") == "1":
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<p>" + b"a" * 65530 + b"</p>"
        try:
            for _ in range(size // len(chunk) + 1):
                self.wfile.write(chunk)
        except OSError:
            return
        self.close_connection = True

    def route_error(self, query):
        self._send(int(query.get("status", "500")), b"<h1>oops</h1>")

    def route_flaky(self, query):
        """Fails with `status` for the first `fail` requests of `key`, then serves the article."""
        key = query.get("key", "default")
        self.server.flaky[key] += 1
        if self.server.flaky[key] <= int(query.get("fail", "1")):
            headers = {"Retry_After": query["retry_after"]} if "retry_after" in query else {}
            self._send(int(query.get("status", "503")), b"try later", **headers)
        else:
            self._send(200, ARTICLE.encode())

    def route_ratelimited(self, query):
        self._send(429, b"slow down", Retry_After=query.get("after", "2"))


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PageHandler)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.hits: Counter[str] = Counter()
        self.flaky: Counter[str] = Counter()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def handle_error(self, request, client_address) -> None:
        # Clients that hang up early (size limits, timeouts) are what these tests provoke.
        return

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
