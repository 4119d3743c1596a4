"""The hint `make run` prints: the mode it really runs in, and the next step for this database."""

from django.core.management import call_command
from django.db import connection

from fbrain.core.tests.factories import UserFactory


def _hint(capsys, url="http://127.0.0.1:18151/") -> str:
    call_command("landing_hint", "--url", url)
    return capsys.readouterr().out


def test_an_empty_database_points_at_the_setup_page_in_the_mode_it_runs(db, capsys, settings):
    out = _hint(capsys)
    assert "F_BRAIN is starting on http://127.0.0.1:18151/" in out
    assert "create the first (administrator) account" in out
    if connection.vendor == "sqlite":
        assert "embedded mode: SQLite in" in out
    else:
        assert f"postgresql database {connection.settings_dict['NAME']}" in out
    assert ("tasks run inline" in out) is settings.CELERY_TASK_ALWAYS_EAGER


def test_with_a_user_it_says_sign_in_and_names_no_setup(db, capsys, settings):
    UserFactory()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = _hint(capsys, url="http://0.0.0.0:8001/")
    assert "Sign in at http://0.0.0.0:8001/ (more accounts: http://0.0.0.0:8001/admin/ or `make superuser`)" in out
    assert "first" not in out and "tasks go to the Celery broker" in out
