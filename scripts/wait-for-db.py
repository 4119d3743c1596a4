#!/usr/bin/env python3
"""Wait until the PostgreSQL database in DATABASE_URL accepts connections, or fail after a timeout."""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlsplit

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


def database_url() -> str:
    """DATABASE_URL, or the content of the file named by DATABASE_URL_FILE (Docker secrets)."""
    path = os.environ.get("DATABASE_URL_FILE")
    if path:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip()
    return os.environ.get("DATABASE_URL", "").strip()


def describe(url: str) -> str:
    """host:port/dbname without credentials, for messages."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default 60)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between attempts")
    args = parser.parse_args()

    url = database_url()
    scheme = urlsplit(url).scheme.split("+")[0]
    if not url or scheme not in POSTGRES_SCHEMES:
        return 0  # SQLite or no database configured: nothing to wait for.

    import psycopg2  # imported late: only needed for PostgreSQL

    dsn = "postgresql" + url[len(urlsplit(url).scheme) :]
    target = describe(url)
    deadline = time.monotonic() + args.timeout
    attempts = 0
    while True:
        attempts += 1
        remaining = deadline - time.monotonic()
        try:
            conn = psycopg2.connect(dsn, connect_timeout=max(1, min(5, int(remaining))))
        except psycopg2.OperationalError as exc:
            last_error = " ".join(str(exc).split()) or exc.__class__.__name__
        else:
            conn.close()
            if attempts > 1:
                print(f"wait-for-db: database {target} is up after {attempts} attempts", flush=True)
            return 0
        if time.monotonic() + args.interval >= deadline:
            print(
                f"wait-for-db: ERROR: database {target} not reachable after {args.timeout:g}s "
                f"({attempts} attempts); last error: {last_error}. "
                "Check DATABASE_URL and that the database service is running "
                "(DB_WAIT_TIMEOUT raises the limit).",
                file=sys.stderr,
                flush=True,
            )
            return 1
        if attempts == 1:
            print(f"wait-for-db: waiting up to {args.timeout:g}s for database {target} ...", flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
