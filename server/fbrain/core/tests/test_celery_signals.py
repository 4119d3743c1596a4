"""Worker database connections: kept across tasks within CONN_MAX_AGE, recycled when old, left alone when eager."""

from types import SimpleNamespace

import pytest
from celery import signals
from django.db import connection

from config.celery_app import app


class _Task:
    name = "fbrain.tests.fake"

    def __init__(self, *, eager: bool) -> None:
        self.request = SimpleNamespace(is_eager=eager, delivery_info={})


def _task(*, eager: bool) -> _Task:
    return _Task(eager=eager)


def _run_task_signals(task: _Task) -> None:
    signals.task_prerun.send(sender=task, task_id="t-1", task=task)
    signals.task_postrun.send(sender=task, task_id="t-1", task=task)


def test_celerys_fixup_is_told_not_to_close_connections_around_each_task():
    # The key celery.fixups.django.DjangoWorkerFixup reads; unset, it closes them around every task.
    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 100


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_connection_across_tasks(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()
    connection.ensure_connection()
    opened = connection.connection
    for _ in range(3):
        _run_task_signals(_task(eager=False))
        connection.ensure_connection()
    assert connection.connection is opened


@pytest.mark.postgres_only("Django never closes an in-memory SQLite test database, so nothing can be recycled")
@pytest.mark.django_db(transaction=True)
def test_a_worker_recycles_a_connection_past_conn_max_age():
    connection.ensure_connection()
    connection.close_at = 0  # as if CONN_MAX_AGE had run out
    _run_task_signals(_task(eager=False))
    assert connection.connection is None


@pytest.mark.django_db
def test_an_eager_task_leaves_its_callers_transaction_alone():
    connection.ensure_connection()
    opened = connection.connection
    connection.close_at = 0
    _run_task_signals(_task(eager=True))
    assert connection.connection is opened
