"""Shared fixtures: a fresh app per test on SQLite and on PostgreSQL, clients, sign-in.

Every test that uses ``app`` runs twice: on a new SQLite file and on PostgreSQL (a
schema of its own, emptied between tests). The PostgreSQL run is skipped with a
message when no server answers, except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

import scheduler
from scheduler import create_app
from scheduler.database import read_only_transactions
from scheduler.extensions import db as _db
from scheduler.models import Base
from tests import fast_routing

PG_URL = os.environ.get(
    "SCHEDULER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"  # optional cross-checks only

pytest_plugins = ["tests.factories"]
fast_routing.install()

# Property-based tests (Hypothesis, Schemathesis): a bounded run by default ("ci"), a long
# one with HYPOTHESIS_PROFILE=long (the README has the command). Each example is a real
# request against a real database, so there is no per-example deadline.
_PROPERTY_CHECKS = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    "database": None,
}
settings.register_profile("ci", max_examples=25, **_PROPERTY_CHECKS)
settings.register_profile("long", max_examples=1000, **_PROPERTY_CHECKS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@functools.cache
def migration_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(scheduler.__file__).parent / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def create_schema(engine) -> None:
    """Create every table from the models and stamp it as migrated to the head revision
    (what ``scheduler init-db`` would produce, in a fraction of the time)."""
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
            )
        )
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": migration_head()})


def _pg_url() -> str:
    url = make_url(PG_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A private schema in the test database, with every table created once."""
    base = _pg_url()
    try:
        admin = create_engine(base, pool_pre_ping=True)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        message = f"PostgreSQL is not reachable at {make_url(base).render_as_string()}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    schema = f"t_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema},public"})
    rendered = url.render_as_string(hide_password=False)
    engine = create_engine(rendered)
    create_schema(engine)
    engine.dispose()
    yield rendered
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


# Tables with a row, and sequences that have handed out a number (a row inserted and
# deleted again): what a test may have changed. Emptying only those with DELETE, in the
# order of their foreign keys, and restarting only those sequences takes a few
# milliseconds; a TRUNCATE took 0.25 s even of a few tables (it replaces their files),
# and 0.2 s of all of them, at every PostgreSQL test.
_USED_SEQUENCES = """
SELECT format('%I.%I', s.schemaname, s.sequencename) FROM pg_sequences s
WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL
"""


# Tables with triggers of their own (the audit log refuses DELETE): their triggers are
# switched off while they are emptied (the schema's owner may; no superuser needed).
_GUARDED_TABLES = """
SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND NOT g.tgisinternal
"""


def _truncate_all(url: str) -> None:
    """Empty every table a test may have changed and restart its ids (as new)."""
    engine = create_engine(url)
    tables = Base.metadata.sorted_tables
    with_rows = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    with engine.begin() as conn:
        used = set(conn.scalars(text(with_rows)))
        sequences = list(conn.scalars(text(_USED_SEQUENCES)))
        guarded = set(conn.scalars(text(_GUARDED_TABLES))) & used
        statements = [f'ALTER TABLE "{name}" DISABLE TRIGGER USER' for name in sorted(guarded)]
        statements += [f'DELETE FROM "{t.name}"' for t in reversed(tables) if t.name in used]
        statements += [f'ALTER TABLE "{name}" ENABLE TRIGGER USER' for name in sorted(guarded)]
        statements += [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
        if statements:
            conn.exec_driver_sql("; ".join(statements))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every table, made once: each test gets a copy (0.15 s saved
    per test against creating the tables again)."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database_url")
        _truncate_all(url)
        yield url


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    """Settings for the test app; a test may change them before asking for ``app``."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": secrets.token_hex(16),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "JOBS_THREAD": False,
        # Solver runs in the job's thread: several tests give the solver a tight time
        # budget, which a child process at nice 10 cannot count on while the shared
        # machine is busy. The child process has its own tests (test_isolated.py,
        # test_runs_isolated.py).
        "SOLVER_ISOLATED": False,
        "SQLITE_BUSY_TIMEOUT": 5,
        # Tests need no power-cut durability; production's FULL has its own test.
        "SQLITE_SYNCHRONOUS": "NORMAL",
        "PUBLIC_URL": "https://library.test",
        "SERVER_NAME": None,
    }


@pytest.fixture
def app(app_config: dict) -> Iterator:
    app = create_app(app_config)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    forget_dispatch(app)


@pytest.fixture
def make_app(app_config: dict):
    """``make_app()``: another app from ``app_config`` (change it first), as a second
    process of the same site would be; closed after the test."""
    made = []

    def _make():
        made.append(create_app(app_config))
        return made[-1]

    yield _make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()
        forget_dispatch(other)


def forget_dispatch(app) -> None:
    """Job dispatch is registered per app by id(); a later app may reuse a dead one's id
    and must not inherit its listeners (say, a Redis proxy a fault test has closed)."""
    from scheduler.jobs import dispatch

    dispatch._listeners.pop(id(app), None)


@pytest.fixture
def db(app) -> Iterator:
    """The app's session inside an app context, for arranging data and checking results.

    The test's own transactions begin deferred (no SQLite write lock while it reads),
    and the test client commits this session before each request (see below), so data
    a test arranged is visible to the request and results are read fresh afterwards.
    """
    with app.app_context(), read_only_transactions():
        yield _db
        _db.session.remove()


class CommittingClient(FlaskClient):
    """A test client whose requests run like real ones, isolated from the test.

    It commits the test's pending arrangements first (which also expires the test's
    loaded objects, so they are read fresh afterwards), then runs the request in an
    empty ``contextvars`` context: the request gets its own app context, ``g`` and
    database session, as it would in a server thread, instead of reusing the test's.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = CommittingClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """``login(person)`` signs the test client in as ``person`` (no password round-trip)."""

    def _login(person, *, remember: bool = False) -> str:
        """Returns the session's token (what the cookie holds)."""
        from scheduler.signin import sessions
        from scheduler.signin.policy import SessionPolicy

        with client.application.app_context() if not has_app_context() else nullcontext():
            token = sessions.start(
                _db.session,
                person,
                SessionPolicy.from_config(client.application.config),
                sessions.Device(),
                remember=remember,
                second_factor=True,
            )
            _db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
        return token

    return _login


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app behind a real threaded HTTP server, for truly concurrent requests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def check_roster(tmp_path: Path, problem: dict, solution: dict) -> str:
    """Check a stored roster with the engine's own checker, and cross-check it with
    ``../shared/tools/check_roster.py`` when that folder is next to the repository.
    Fails the test on any broken rule or disagreement; returns ``objective=N``."""
    from scheduler.solver import problem_from_dict
    from scheduler.solver.check import check
    from scheduler.solver.problem import Assignment

    report = check(
        problem_from_dict(problem),
        [Assignment(shift=a["shift"], staff=a["staff"]) for a in solution["assignments"]],
    )
    assert report.ok, [v.message for v in report.violations]
    assert report.objective == solution["objective"], (report.objective, solution["objective"])
    tool = SHARED / "tools" / "check_roster.py"
    if tool.is_file():
        (tmp_path / "problem.json").write_text(json.dumps(problem))
        (tmp_path / "solution.json").write_text(json.dumps(solution))
        out = subprocess.run(
            [sys.executable, str(tool), "problem.json", "solution.json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"objective={report.objective}" in out.stdout, out.stdout
    return f"objective={report.objective}"
