"""The environment helpers: typed values, `_FILE` secrets, one-line errors naming the variable."""

import pytest

from config import env


def test_values_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FB_FLAG", "yes")
    monkeypatch.setenv("FB_NUMBER", "7")
    monkeypatch.setenv("FB_LIST", "a, b,,c")
    monkeypatch.setenv("FB_MODE", "JSON")
    assert env.boolean("FB_FLAG", False) is True
    assert env.integer("FB_NUMBER", 1) == 7
    assert env.str_list("FB_LIST", []) == ["a", "b", "c"]
    assert env.choice("FB_MODE", "console", {"json", "console"}) == "json"


def test_defaults_apply_when_unset(monkeypatch):
    monkeypatch.delenv("FB_UNSET", raising=False)
    assert env.boolean("FB_UNSET", True) is True
    assert env.integer("FB_UNSET", 3) == 3
    assert env.str_list("FB_UNSET", ["x"]) == ["x"]
    assert env.string("FB_UNSET", "d") == "d"
    assert env.redis_url("FB_UNSET") is None


def test_secret_files_win_over_plain_values(monkeypatch, tmp_path):
    secret = tmp_path / "token"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("FB_SECRET", "plain")
    monkeypatch.setenv("FB_SECRET_FILE", str(secret))
    assert env.required("FB_SECRET") == "s3cret"


@pytest.mark.parametrize(
    ("setter", "call", "fragment"),
    [
        ({"FB_X": "perhaps"}, lambda: env.boolean("FB_X", False), "expected true/false"),
        ({"FB_X": "ten"}, lambda: env.integer("FB_X", 1), "expected an integer"),
        ({"FB_X": "-1"}, lambda: env.integer("FB_X", 1, minimum=0), "at least 0"),
        ({"FB_X": "yaml"}, lambda: env.choice("FB_X", "json", {"json"}), "expected one of"),
        ({"FB_X": "http://h"}, lambda: env.redis_url("FB_X"), "redis:// URL"),
        ({"FB_X": "mysql://h/db"}, lambda: env.database("FB_X", env.Path("x")), "unsupported database"),
        ({"FB_X": ""}, lambda: env.required("FB_X"), "is required"),
        ({"FB_X_FILE": "/nonexistent/file"}, lambda: env.string("FB_X"), "cannot read"),
    ],
)
def test_bad_values_raise_one_line_naming_the_variable(monkeypatch, setter, call, fragment):
    for key, value in setter.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit) as error:
        call()
    message = str(error.value.code)
    assert message.startswith("fbrain: configuration error: FB_X")
    assert fragment in message
    assert "\n" not in message


def test_database_urls(monkeypatch, tmp_path):
    monkeypatch.delenv("FB_DB", raising=False)
    assert env.database("FB_DB", tmp_path / "db.sqlite3")["ENGINE"].endswith("sqlite3")
    monkeypatch.setenv("FB_DB", "postgres://u:p@h:5432/n")
    config = env.database("FB_DB", tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django_prometheus.db.backends.postgresql"
    assert config["OPTIONS"]["connect_timeout"] == 2
    monkeypatch.setenv("FB_DB", f"sqlite:///{tmp_path}/x.sqlite3")
    assert env.database("FB_DB", tmp_path / "db.sqlite3")["ENGINE"] == "django_prometheus.db.backends.sqlite3"


def test_empty_variables_count_as_unset(monkeypatch):
    for name in ("FB_EMPTY_STR", "FB_EMPTY_BOOL", "FB_EMPTY_LIST", "FB_EMPTY_URL"):
        monkeypatch.setenv(name, "")
    assert env.string("FB_EMPTY_STR", "default") == "default"
    assert env.boolean("FB_EMPTY_BOOL", True) is True
    assert env.str_list("FB_EMPTY_LIST", ["a"]) == ["a"]
    assert env.redis_url("FB_EMPTY_URL", "redis://fallback:6379/0") == "redis://fallback:6379/0"
