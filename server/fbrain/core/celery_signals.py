"""Celery signal handlers: carry the request id into tasks, tag task logs with their ids, recycle DB connections."""

from typing import Any

from celery import signals
from django.db import close_old_connections

from fbrain.core.context import request_id_var, task_id_var

HEADER = "fbrain_request_id"
_tokens: dict[str, tuple[Any, Any]] = {}


@signals.before_task_publish.connect
def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Stamp the queuing request's id on the message so the task's logs can name it."""
    request_id = request_id_var.get()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _request_id_of(task: Any) -> str | None:
    request = task.request
    value = getattr(request, HEADER, None)
    if value is None and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(HEADER)
    return value


@signals.task_prerun.connect
def bind_task_context(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if not task_id or task is None:
        return
    _tokens[task_id] = (task_id_var.set(task_id), request_id_var.set(_request_id_of(task) or request_id_var.get()))


@signals.task_postrun.connect
def unbind_task_context(task_id: str | None = None, **_: Any) -> None:
    tokens = _tokens.pop(task_id or "", None)
    if tokens is None:
        return
    task_token, request_token = tokens
    task_id_var.reset(task_token)
    request_id_var.reset(request_token)


def recycle_database_connections(task: Any = None, **_: Any) -> None:
    """Close a worker's database connections only when too old (CONN_MAX_AGE) or broken, as Django per request.

    Celery's Django fixup would close them around every task (settings.CELERY_DB_REUSE_MAX stops that), and
    each task then paid for a new Postgres connection and backend process.
    """
    if task is None or getattr(task.request, "is_eager", False):
        return  # an eager task runs inside its caller's request or transaction
    close_old_connections()


signals.task_prerun.connect(recycle_database_connections, weak=False)
signals.task_postrun.connect(recycle_database_connections, weak=False)
