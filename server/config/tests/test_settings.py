"""Settings come from the environment: embedded defaults, `_FILE` secrets, fail-fast production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVER_DIR = Path(__file__).resolve().parents[2]
PROD_SECRET = "p" * 20 + "-x9Yq#Lm2$Vt7@Rw4!Kz8^Nb3&Hc6*Jd"

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE']); print(s.CACHES['default']['BACKEND']); "
    "print(s.CELERY_TASK_ALWAYS_EAGER); print(s.SECRET_KEY)"
)


def _run(settings_module, env, code=PRINT_SETTINGS, args=None):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": settings_module, **env})
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=SERVER_DIR, env=clean, capture_output=True, text=True, timeout=120)


def test_embedded_defaults_need_nothing_but_python(tmp_path):
    result = _run("config.settings.dev", {"DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    engine, cache, eager, _ = result.stdout.split()
    assert engine.endswith("sqlite3")
    assert cache.endswith("LocMemCache")
    assert eager == "True"


def test_database_and_redis_urls_switch_to_postgres_redis_and_a_real_broker(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u:p@db:5432/x", "REDIS_URL": "redis://r:6379/1"}
    result = _run("config.settings.dev", env)
    assert result.returncode == 0, result.stderr
    engine, cache, eager, _ = result.stdout.split()
    assert engine.endswith("postgresql")
    assert cache.endswith("RedisCache")
    assert eager == "False"


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    result = _run("config.settings.dev", {"DATA_DIR": str(tmp_path), "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "from-a-file"


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://nope"}, "REDIS_URL"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"CONN_MAX_AGE": "soon"}, "CONN_MAX_AGE"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE"),
    ],
)
def test_malformed_settings_stop_startup_naming_the_variable(tmp_path, env, name):
    result = _run("config.settings.dev", {"DATA_DIR": str(tmp_path), **env})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"fbrain: configuration error: {name}:")


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("127.0.0.1:http", "entry '127.0.0.1:http': port 'http' is not a number from 1 to 65535"),
        ("fixture.test, 10.0.0.0/33", "entry '10.0.0.0/33': '10.0.0.0/33' is not a valid IPv4 address or network"),
        ("::1:8080:x", "entry '::1:8080:x': not an IPv6 address or network (write [IPv6]:port for a port)"),
        ("http://fixture.test", "entry 'http://fixture.test': a host, address or network, not a URL (drop the scheme)"),
    ],
)
def test_a_malformed_capture_allow_list_entry_stops_startup_naming_it(tmp_path, entries, message):
    result = _run("config.settings.dev", {"DATA_DIR": str(tmp_path), "CAPTURE_ALLOW_HOSTS": entries})

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"fbrain: configuration error: CAPTURE_ALLOW_HOSTS: {message}"


def test_capture_allow_list_entries_with_ports_are_parsed(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CAPTURE_ALLOW_HOSTS)"
    entries = "fixture.test:8080, 127.0.0.1:9000, 10.0.0.0/8, [::1]:443"
    result = _run("config.settings.dev", {"DATA_DIR": str(tmp_path), "CAPTURE_ALLOW_HOSTS": entries}, code=code)

    assert result.returncode == 0, result.stderr
    assert "host='fixture.test', network=None, port=8080" in result.stdout
    assert "IPv4Network('127.0.0.1/32'), port=9000" in result.stdout
    assert "IPv4Network('10.0.0.0/8'), port=None" in result.stdout
    assert "IPv6Network('::1/128'), port=443" in result.stdout


def _prod_env(tmp_path, **extra):
    env = {
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": PROD_SECRET,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/fbrain",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "brain.example.org",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    result = _run("config.settings.prod", _prod_env(tmp_path, **{missing: None}))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"fbrain: configuration error: {missing}: is required")


def test_production_rejects_a_weak_secret_key(tmp_path):
    result = _run("config.settings.prod", _prod_env(tmp_path, SECRET_KEY="short"))
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deploy_check_without_warnings(tmp_path):
    result = _run(
        "config.settings.prod", _prod_env(tmp_path), args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr
