"""`python manage.py test` runs the pytest suite."""

import os
import subprocess
import sys

from fbrain.core.testing.runner import SERVER_DIR, PytestRunner


def test_manage_py_test_runs_pytest_with_the_given_labels():
    label = "fbrain/core/tests/test_request_id.py::test_unsafe_request_ids_are_replaced"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    result = subprocess.run(
        [sys.executable, "manage.py", "test", label, "-v", "2", "--failfast"],
        cwd=SERVER_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_runner_reports_failures_as_a_nonzero_count():
    runner = PytestRunner(verbosity=0, keepdb=True)
    assert runner.run_tests(["fbrain/core/tests/test_request_id.py::does_not_exist"]) != 0
