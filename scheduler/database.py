"""Engine set-up per database, and the write-transaction discipline on SQLite.

PostgreSQL gives us row locks and exclusion constraints. SQLite has one writer at a
time, so a use case that reads and then writes ("is this slot still free? then book")
must hold the write lock from its first read: transactions that may write start with
``BEGIN IMMEDIATE``. Read-only requests (GET/HEAD) start with a plain ``BEGIN`` and run
side by side thanks to WAL mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

if TYPE_CHECKING:  # the app and its Flask-SQLAlchemy object are passed in
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

_read_only: ContextVar[bool] = ContextVar("scheduler_read_only_transaction", default=False)


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Within this block, SQLite transactions begin deferred (no write lock)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def engine_options(url: str, busy_timeout: float) -> dict[str, Any]:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return {"connect_args": {"check_same_thread": False, "timeout": busy_timeout}}
    options: dict[str, Any] = {"pool_pre_ping": True}
    if "connect_timeout" not in make_url(url).query:
        # An unreachable server (not just a refusing one) must not hold a request for
        # minutes: give up connecting after a few seconds and answer 503.
        options["connect_args"] = {"connect_timeout": 5}
    return options


def init_database(app: Flask, db: SQLAlchemy) -> None:
    """Bind ``db`` to ``app`` with the engine options of its database, and on SQLite the
    connection settings and the write-transaction discipline described above."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    busy_timeout = float(app.config.get("SQLITE_BUSY_TIMEOUT", 30))
    synchronous = str(app.config.get("SQLITE_SYNCHRONOUS") or "FULL")
    options = engine_options(url, busy_timeout)
    options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    app.config.setdefault("SQLALCHEMY_TRACK_MODIFICATIONS", False)
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, int(busy_timeout * 1000), synchronous)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL (the default): each commit is on disk before it is confirmed.
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")
