"""Structured logs: JSON lines carrying request and task ids, in requests and in Celery tasks."""

import json
import logging

import pytest

from fbrain.core.context import request_id_var, task_id_var
from fbrain.core.logging import ContextFilter, JsonFormatter
from fbrain.core.tasks import ping


def _record(message="hello"):
    return logging.LogRecord("fbrain.test", logging.INFO, __file__, 1, message, None, None)


def test_json_lines_carry_request_and_task_ids():
    token_r, token_t = request_id_var.set("req-1"), task_id_var.set("task-9")
    try:
        record = _record()
        ContextFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token_r)
        task_id_var.reset(token_t)
    assert line["message"] == "hello"
    assert line["level"] == "INFO"
    assert line["logger"] == "fbrain.test"
    assert line["request_id"] == "req-1"
    assert line["task_id"] == "task-9"
    assert "time" in line


def test_records_outside_requests_get_placeholders():
    record = _record()
    ContextFilter().filter(record)
    assert record.request_id == "-"
    assert record.task_id == "-"


def test_request_logs_carry_the_request_id(client, caplog):
    from django.urls import path

    logger = logging.getLogger("fbrain.test.view")

    def view(request):
        from django.http import HttpResponse

        logger.warning("inside view")
        return HttpResponse("ok")

    urlconf = type("urls", (), {"urlpatterns": [path("probe", view)]})
    with caplog.at_level(logging.INFO):
        from django.test import override_settings

        with override_settings(ROOT_URLCONF=urlconf):
            client.get("/probe", HTTP_X_REQUEST_ID="trace-42")
    records = [r for r in caplog.records if r.getMessage() == "inside view"]
    assert records
    ContextFilter().filter(records[0])
    assert records[0].request_id == "trace-42"


@pytest.mark.celery_worker
def test_task_logs_carry_task_id_and_queuing_request_id(celery_worker):
    seen = []

    class Grab(logging.Handler):
        def emit(self, record):
            if record.getMessage() == "ping task ran":
                ContextFilter().filter(record)
                seen.append((record.task_id, record.request_id))

    handler = Grab()
    task_logger = logging.getLogger("fbrain.core.tasks")
    previous_level = task_logger.level
    task_logger.setLevel(logging.INFO)
    task_logger.addHandler(handler)
    token = request_id_var.set("req-from-view")
    try:
        result = ping.delay("hi")
        assert result.get(timeout=20) == "hi"
    finally:
        request_id_var.reset(token)
        task_logger.removeHandler(handler)
        task_logger.setLevel(previous_level)
    assert seen == [(result.id, "req-from-view")]
