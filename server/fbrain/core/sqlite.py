"""The embedded mode's SQLite connections: lower() folds case as Python and Postgres do, not ASCII only."""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def register_functions(sender: Any, connection: Any, **_: Any) -> None:
    """Replace SQLite's ASCII-only lower() on each new connection.

    Case-insensitive titles and tags (unique indexes on lower(), look-ups by lower()) then agree on "Ünïcode"
    and "ünÏcode" in the embedded mode as they do on Postgres. Deterministic, so indexes may use it.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function("lower", 1, _lower, deterministic=True)


connection_created.connect(register_functions, dispatch_uid="fbrain.core.sqlite.register_functions")
