"""Before the tests: check that Postgres and Redis answer, and say how to start them if not."""

import os
import socket
import sys
from urllib.parse import urlsplit


def reachable(url: str, default_port: int) -> tuple[bool, str]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return True, f"{host}:{port}"
    except OSError:
        return False, f"{host}:{port}"


def main() -> int:
    problems = []
    for name, port, service in (("DATABASE_URL", 5432, "db"), ("REDIS_URL", 6379, "redis")):
        url = os.environ.get(name, "")
        ok, where = reachable(url, port)
        if not ok:
            problems.append(f"  {name}={url}: nothing answers on {where} (compose service '{service}')")
    if problems:
        print("The tests need Postgres and Redis:", *problems, sep="\n", file=sys.stderr)
        print(
            "Start them, e.g.:\n"
            "  docker compose up -d db redis   (then DATABASE_URL/REDIS_URL as printed by `docker compose port`)\n"
            "  or a local install: pg_ctlcluster 15 main start; redis-server --daemonize yes\n"
            "or point DATABASE_URL / REDIS_URL at running servers.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
