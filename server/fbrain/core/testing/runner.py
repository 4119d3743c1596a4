"""`python manage.py test` runs the pytest suite, in a fresh process with the test settings."""

import os
import subprocess
import sys
from pathlib import Path

SERVER_DIR = Path(__file__).resolve().parents[3]


class PytestRunner:
    """Django test-runner interface over pytest; labels become pytest node ids or paths."""

    def __init__(self, verbosity: int = 1, failfast: bool = False, keepdb: bool = False, **_: object) -> None:
        self.verbosity = verbosity
        self.failfast = failfast
        self.keepdb = keepdb

    @classmethod
    def add_arguments(cls, parser) -> None:
        parser.add_argument("--failfast", action="store_true", help="Stop at the first failure.")
        parser.add_argument("--keepdb", action="store_true", help="Reuse the test database.")

    def run_tests(self, test_labels: list[str], **_: object) -> int:
        args = [sys.executable, "-m", "pytest", *test_labels]
        if self.verbosity == 0:
            args.append("-q")
        elif self.verbosity > 1:
            args.append("-v")
        if self.failfast:
            args.append("-x")
        if self.keepdb:
            args.append("--reuse-db")
        # Settings were already loaded in this process; pytest gets its own, with the test settings.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        return subprocess.call(args, cwd=SERVER_DIR, env=env)  # noqa: S603
