#!/usr/bin/env python3
"""Development helper: run a command and restart it whenever a watched Python file changes.

Used for the Celery worker in docker-compose.yml (Django's runserver reloads itself). Polls file
modification times, which also works on bind mounts where inotify events do not arrive.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SKIP_DIRS = {"__pycache__", ".git", "node_modules", "staticfiles", "data", "media"}


def snapshot(roots: list[Path], suffixes: tuple[str, ...]) -> dict[str, float]:
    """Map of watched file path -> mtime."""
    seen: dict[str, float] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
            for name in filenames:
                if name.endswith(suffixes):
                    path = os.path.join(dirpath, name)
                    try:
                        seen[path] = os.stat(path).st_mtime
                    except FileNotFoundError:
                        continue
    return seen


def stop(child: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the child, then SIGKILL it after `grace` seconds."""
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watch", action="append", default=[], help="directory to watch (repeatable)")
    parser.add_argument("--suffix", action="append", default=[], help="file suffix (default .py)")
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval in seconds")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds to wait after SIGTERM")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command to run")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command is required after --")
    roots = [Path(p) for p in (args.watch or ["."])]
    suffixes = tuple(args.suffix or [".py"])

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    state = snapshot(roots, suffixes)
    child = subprocess.Popen(command)  # noqa: S603 (the operator's own command line)
    reported = False
    while not stopping:
        time.sleep(args.interval)
        current = snapshot(roots, suffixes)
        if current != state:
            changed = sorted(set(current.items()) ^ set(state.items()))
            print(f"autoreload: {changed[0][0]} changed, restarting", file=sys.stderr, flush=True)
            state = current
            stop(child, args.grace)
            child = subprocess.Popen(command)  # noqa: S603
            reported = False
        elif child.poll() is not None and not reported:
            # Like runserver: a crash (e.g. a syntax error) waits for the next edit.
            print(
                f"autoreload: command exited with {child.returncode}; waiting for a file change",
                file=sys.stderr,
                flush=True,
            )
            reported = True
    stop(child, args.grace)
    return child.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
