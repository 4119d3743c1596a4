"""The Celery app: JSON only, at-least-once delivery, events on, and a real worker round trip."""

import pytest
from django.core.management import call_command

from config.celery_app import app
from fbrain.core.tasks import ping


def test_celery_is_configured_for_safe_delivery():
    conf = app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_send_task_events is True
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


def test_tasks_run_inline_in_eager_mode():
    assert ping.delay("inline").get(timeout=1) == "inline"


@pytest.mark.celery_worker
def test_ping_goes_through_the_broker_to_a_real_worker(celery_worker):
    result = ping.delay("through-redis")
    assert result.get(timeout=20) == "through-redis"
    assert result.state == "SUCCESS"


@pytest.mark.celery_worker
def test_celery_ping_task_command_succeeds_with_a_worker(celery_worker, capsys):
    call_command("celery_ping_task", "--timeout", "20")
    assert "worker processed ping task" in capsys.readouterr().out
