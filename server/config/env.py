"""Typed access to environment variables, with `<NAME>_FILE` secrets and one-line errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import environ

T = TypeVar("T")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(SystemExit):
    """A missing or malformed setting: stops start-up with one line naming the variable."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"fbrain: configuration error: {name}: {problem}")


def raw(name: str, default: str | None = None) -> str | None:
    """Return the variable's text, or the content of the file named by `<NAME>_FILE`.

    An empty variable counts as unset, so `NAME=` lines copied from .env.example keep the defaults.
    """
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE", f"cannot read {file_name!r} ({exc.strerror})") from exc
    return os.environ.get(name) or default


def required(name: str) -> str:
    """A value that must be set (directly or through `<NAME>_FILE`)."""
    value = raw(name)
    if not value:
        raise ConfigError(name, f"is required (set {name} or {name}_FILE)")
    return value


def string(name: str, default: str = "") -> str:
    value = raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, f"expected true/false, got {value!r}")


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"expected an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    return number


def str_list(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def parsed_list(name: str, default: list[str], parse: Callable[[str], T]) -> list[T]:
    """A comma-separated list whose items `parse` turns into values; an item it refuses (ValueError) stops
    start-up with one line naming the variable, the item and the problem."""
    values = []
    for item in str_list(name, default):
        try:
            values.append(parse(item))
        except ValueError as exc:
            raise ConfigError(name, f"entry {item!r}: {exc}") from None
    return values


def choice(name: str, default: str, choices: set[str]) -> str:
    value = string(name, default).strip().lower()
    if value not in choices:
        raise ConfigError(name, f"expected one of {sorted(choices)}, got {value!r}")
    return value


def database(name: str, default_sqlite: Path) -> dict[str, Any]:
    """Parse a database URL; without one, SQLite in the data folder."""
    url = raw(name)
    if not url:
        return {
            "ENGINE": "django_prometheus.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            # Writers queue for the lock up front (IMMEDIATE) instead of failing mid-transaction; WAL lets
            # the threaded development server read while one request writes.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ConfigError(name, f"not a valid database URL ({exc})") from None
    engine = config.get("ENGINE", "")
    if engine.endswith("postgresql"):
        config["ENGINE"] = "django_prometheus.db.backends.postgresql"
        # A dead database must fail fast, not hang requests and probes.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    elif engine.endswith("sqlite3"):
        config["ENGINE"] = "django_prometheus.db.backends.sqlite3"
    else:
        raise ConfigError(name, f"unsupported database scheme in {url.split(':', 1)[0]!r}")
    return config


def redis_url(name: str, default: str | None = None) -> str | None:
    value = raw(name, default)
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(name, f"expected a redis:// URL, got {value.split(':', 1)[0]!r} scheme")
    return value or None
