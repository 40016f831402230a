"""Migrations: from an empty database to the current schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models import Base
from tests.conftest import IN_CI, _pg_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path: Path):
    """An empty database URL (a fresh SQLite file, or a fresh PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    base = _pg_url()
    admin = create_engine(base)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable under CI: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    schema = f"m_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema},public"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_database, tmp_path) -> None:
    app = create_app({"DATABASE_URL": empty_database, "INSTANCE": str(tmp_path / "inst")})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        # The migrated schema is exactly what the models describe: no drift.
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
        # Upgrading again is a no-op, as `scheduler init-db` on every start relies on.
        upgrade()
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_init_db_command_creates_the_schema(empty_database, tmp_path) -> None:
    app = create_app({"DATABASE_URL": empty_database, "INSTANCE": str(tmp_path / "inst")})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    with app.app_context():
        assert "people" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrating_in_process_leaves_the_hosts_logging_alone(runner, tmp_path) -> None:
    """`init-db` inside a process that already logs (a test run, a host app) must not
    close handlers it does not own: closing them once closed pytest's own capture."""
    own = logging.FileHandler(tmp_path / "host.log")  # registered, as absl's handler is
    try:
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert own.stream is not None
        assert not own.stream.closed
        own.emit(logging.makeLogRecord({"msg": "still writing"}))
    finally:
        own.close()
    assert "still writing" in (tmp_path / "host.log").read_text()
