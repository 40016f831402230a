"""When the database cannot be reached: 503 with Retry-After, and one more try for reads.

PostgreSQL restarts (an upgrade, a fail-over) cut every open connection and refuse new
ones for a few seconds. A request caught by that gets 503 and ``Retry-After`` instead
of a 500 (clients and the proxy may retry; nothing was changed, because a request
commits only after its view succeeded). A read (GET/HEAD) that lost its connection is
tried once more after a short pause: ``pool_pre_ping`` replaces dead pooled connections,
so a database that is back by then answers it. Writes are never retried here: the
client decides (it knows whether it saw a 2xx). A write whose COMMIT lost its
connection asks PostgreSQL, for up to ``DB_RETRY_AFTER`` seconds, whether that
transaction committed after all (``txid_status``): if so the client gets the success it
earned, so a 201 means stored and an error means not stored, except when the database
stays away longer than that (then 503, and the outcome is not known).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import scoped_session

from scheduler import metrics
from scheduler.extensions import db

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})
RETRY_PAUSE = 0.5
# Connection exceptions (class 08), the server shutting down or starting (57P01-03),
# too many connections (53300).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def is_unavailable(exc: BaseException | None) -> bool:
    """True for "the database is not reachable", not for a bad query or a lock."""
    if exc is None:
        return False
    if isinstance(exc, PoolTimeout):  # every pooled connection busy for pool_timeout
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state:
        return state.startswith(_UNAVAILABLE_STATES)
    # psycopg without a SQLSTATE: refused, reset or closed by the server, or a connection
    # already closed. (SQLite's "database is locked" is an OperationalError too, but not a
    # psycopg one.)
    name = type(orig).__name__
    return type(orig).__module__.startswith("psycopg") and (
        "Operational" in name or "Interface" in name
    )


def transaction_id(session: Any) -> int | None:
    """The PostgreSQL transaction id of a write about to commit (None elsewhere): if the
    connection breaks during COMMIT, it tells whether the commit happened after all."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return None
    return int(session.execute(text("SELECT txid_current()")).scalar_one())


def committed(engine: Any, xid: int, wait: float) -> bool | None:
    """Whether transaction ``xid`` committed, asked on a new connection for up to ``wait``
    seconds (the database may be coming back); None if that could not be told."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with engine.connect() as conn:
                status = conn.execute(text("SELECT txid_status(:xid)"), {"xid": xid}).scalar()
            if status == "committed":
                return True
            if status != "in progress":
                return False  # aborted, or too old to know (then not ours to claim)
        except DBAPIError:
            pass
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.25)


def unavailable_response() -> Response:
    """503 with Retry-After, as JSON for the API and feeds, as a page otherwise."""
    metrics.DB_UNAVAILABLE.inc()
    seconds = int(current_app.config.get("DB_RETRY_AFTER") or 5)
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": message, "fields": {}})
    elif request.path.startswith("/feeds/") or request.path in ("/readyz", "/metrics"):
        response = Response(message + "\n", mimetype="text/plain")
    else:
        response = Response(render_template("errors/error.html", status=503, message=message))
    response.status_code = 503
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


def forget_session() -> None:
    """Drop the session's broken connection; a new one comes from the pool (pre-pinged)."""
    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback after a lost connection failed", exc_info=True)
    db.session.remove()


def handle(exc: DBAPIError | PoolTimeout) -> Any:
    """Error handler for database errors raised in a view."""
    if not is_unavailable(exc):
        raise exc
    forget_session()
    if request.method in READ_METHODS and not g.get("_db_retried") and request.endpoint:
        g._db_retried = True
        log.warning("database unreachable during %s; trying the read once more", request.endpoint)
        time.sleep(RETRY_PAUSE)
        view = current_app.view_functions[request.endpoint]
        try:
            return current_app.ensure_sync(view)(**(request.view_args or {}))
        except Exception as again:
            if not is_unavailable(again):
                return current_app.handle_user_exception(again)
            forget_session()
    log.warning("database unreachable during %s: 503", request.endpoint)
    return unavailable_response()


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, handle)
    app.register_error_handler(PoolTimeout, handle)
