"""The application factory and configuration precedence; bad settings stop start-up."""

from __future__ import annotations

import ast
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler import ConfigError, create_app


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SCHEDULER_DATABASE_URL",
        "SCHEDULER_SECRET_KEY",
        "SCHEDULER_INSTANCE",
        "SCHEDULER_TIMEZONE",
        "SCHEDULER_RETENTION_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)


def _dispose(app) -> None:
    from scheduler.extensions import db

    with app.app_context():
        db.engine.dispose()


def test_defaults_use_sqlite_in_the_instance_folder(instance: Path) -> None:
    app = create_app({"INSTANCE": str(instance)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'scheduler.sqlite3'}"
    assert app.config["TIMEZONE"] == "Europe/Oslo"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    _dispose(app)


def test_secret_key_is_random_kept_private_and_reused(instance: Path, tmp_path: Path) -> None:
    first = create_app({"INSTANCE": str(instance)})
    key = first.config["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == key
    assert len(key) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = create_app({"INSTANCE": str(instance)})
    assert again.config["SECRET_KEY"] == key
    other = tmp_path / "other"
    assert create_app({"INSTANCE": str(other)}).config["SECRET_KEY"] != key
    for app in (first, again):
        _dispose(app)


def test_precedence_defaults_instance_file_environment_argument(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance / "config.py").write_text(
        "RETENTION_DAYS = 30\nTIMEZONE = 'Europe/London'\nSOLVER_WORKERS = 4\n"
    )
    app = create_app({"INSTANCE": str(instance)})
    assert app.config["RETENTION_DAYS"] == 30  # the instance file beats the default
    assert app.config["SOLVER_TIME_LIMIT"] == 60  # untouched default
    _dispose(app)

    monkeypatch.setenv("SCHEDULER_RETENTION_DAYS", "90")
    monkeypatch.setenv("SCHEDULER_TIMEZONE", "America/New_York")
    app = create_app({"INSTANCE": str(instance)})
    assert app.config["RETENTION_DAYS"] == 90  # the environment beats the instance file
    assert app.config["TIMEZONE"] == "America/New_York"
    assert app.config["SOLVER_WORKERS"] == 4
    _dispose(app)

    app = create_app({"INSTANCE": str(instance), "RETENTION_DAYS": 7})
    assert app.config["RETENTION_DAYS"] == 7  # the argument beats everything
    _dispose(app)


def test_instance_folder_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "elsewhere"
    monkeypatch.setenv("SCHEDULER_INSTANCE", str(folder))
    app = create_app()
    assert app.instance_path == str(folder)
    assert (folder / "secret_key").exists()
    _dispose(app)


def test_database_url_from_the_environment(instance: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app({"INSTANCE": str(instance)})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    _dispose(app)


def test_bare_postgresql_url_uses_psycopg3(instance: Path) -> None:
    app = create_app({"INSTANCE": str(instance), "DATABASE_URL": "postgresql://u@db.example/lib"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    _dispose(app)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"DATABASE_URL": "not a url"}, "SCHEDULER_DATABASE_URL"),
        ({"DATABASE_URL": "oracle://scott@db/lib"}, "SCHEDULER_DATABASE_URL"),
        ({"TIMEZONE": "Mars/Olympus_Mons"}, "SCHEDULER_TIMEZONE"),
        ({"LANGUAGES": ["de"]}, "SCHEDULER_LANGUAGES"),
        ({"BROKER_URL": "amqp://guest@localhost//"}, "SCHEDULER_BROKER_URL"),
    ],
)
def test_bad_settings_stop_startup_naming_the_setting(instance: Path, settings, named) -> None:
    with pytest.raises(ConfigError) as err:
        create_app({"INSTANCE": str(instance), **settings})
    assert str(err.value).startswith(named + ":")
    assert "\n" not in str(err.value)


def test_unwritable_instance_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match=r"^SCHEDULER_INSTANCE: .*cannot be written"):
        create_app({"INSTANCE": str(blocker / "instance")})


def test_cli_reports_a_bad_setting_in_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {
        "SCHEDULER_INSTANCE": str(tmp_path / "i"),
        "SCHEDULER_TIMEZONE": "Nowhere/Land",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from scheduler.cli import main; main()", "init-db"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: SCHEDULER_TIMEZONE: 'Nowhere/Land' is not an IANA time zone"
    )


def test_testing_flag_and_fresh_app_per_call(instance: Path) -> None:
    a = create_app({"INSTANCE": str(instance), "TESTING": True})
    b = create_app({"INSTANCE": str(instance)})
    assert a.testing
    assert not b.testing
    assert a is not b
    _dispose(a)
    _dispose(b)


EXAMPLE = Path(__file__).resolve().parents[1] / "instance" / "config.example.py"
_SETTING = re.compile(r"^# ([A-Z][A-Z0-9_]+) = (.+)$")


def _example_settings() -> list[tuple[str, str, bool]]:
    """(name, value as written, whether a comment above it says what it is) per setting."""
    found, described = [], False
    for line in EXAMPLE.read_text().splitlines():
        match = _SETTING.match(line)
        if match:
            found.append((match.group(1), match.group(2), described))
        elif not line.strip():
            described = False  # each group of settings has its own comment
        elif line.startswith("#") and not line.startswith("# ---"):
            described = True
    return found


def test_the_config_example_lists_every_setting_once_with_its_default() -> None:
    from scheduler.config import DEFAULTS

    settings = _example_settings()
    names = [name for name, _value, _described in settings]
    assert sorted(n for n in set(names) if names.count(n) > 1) == [], "listed twice"
    assert set(DEFAULTS) - set(names) == set(), "settings missing from the example"
    assert set(names) - set(DEFAULTS) == set(), "the example lists unknown settings"
    for name, value, described in settings:
        assert ast.literal_eval(value) == DEFAULTS[name], f"{name}: the example says {value}"
        assert described, f"{name} has no comment saying what it is for"


def test_the_config_example_is_a_valid_instance_file(tmp_path: Path) -> None:
    """Uncommented as it stands, the example starts an app with the defaults."""
    instance = tmp_path / "instance"
    instance.mkdir()
    uncommented = [
        line[2:] if _SETTING.match(line) else line for line in EXAMPLE.read_text().splitlines()
    ]
    (instance / "config.py").write_text("\n".join(uncommented) + "\n")
    app = create_app({"INSTANCE": str(instance)})
    assert app.config["RETENTION_DAYS"] == 180
    assert app.config["JOB_HANDLERS"] == {}
    _dispose(app)
