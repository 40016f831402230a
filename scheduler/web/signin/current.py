"""The staff session behind the cookie: begun at sign-in, checked on every request,
ended at sign-out.

Flask-Login keeps a random token in the (signed) session cookie and in the remember
cookie; :mod:`scheduler.signin.sessions` keeps its digest in the database. Both cookies
are worth nothing once the row is gone.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request, session
from flask_login import login_user, logout_user

from scheduler.extensions import db
from scheduler.models import Person
from scheduler.models.signin import StaffSession
from scheduler.signin import sessions
from scheduler.signin.policy import SessionPolicy
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)
# Sign-in events for the operator's log (person ids, never addresses or secrets), until
# the audit log records them (an audit entry belongs next to each of these lines).
events = logging.getLogger("scheduler.signin")


def policy() -> SessionPolicy:
    return SessionPolicy.from_config(current_app.config)


def device() -> sessions.Device:
    return sessions.Device(
        user_agent=request.headers.get("User-Agent", "")[:1000],
        ip_address=request.remote_addr or "",
    )


def load(token: str) -> Person | None:
    """Flask-Login's user loader: the person of a live session, or None (signed out)."""
    row = sessions.find(db.session, token, policy())
    if row is None:
        return None
    if sessions.touch_due(row):
        g.staff_session_touch = (row.id, utcnow())
    g.staff_session_id = row.id
    person = row.person
    person.signin_token = token
    return person


def begin(person: Person, *, remember: bool, second_factor: bool) -> None:
    """Sign ``person`` in on this browser: nothing of the anonymous session (data, CSRF
    token) is carried over, and a new server-side session is stored."""
    session.clear()
    rules = policy()
    token = sessions.start(
        db.session, person, rules, device(), remember=remember, second_factor=second_factor
    )
    person.signin_token = token
    login_user(person, remember=remember, duration=rules.remember)
    events.info(
        "signed in: person %s, second factor %s, remember %s",
        person.id,
        "yes" if second_factor else "no",
        "yes" if remember else "no",
    )


def renew(person: Person) -> None:
    """After a password change (which ends every session): a new session for this
    browser, signed in the way the old one was (kept signed in, second factor)."""
    old = db.session.get(StaffSession, current_session_id() or "")
    begin(
        person,
        remember=bool(old and old.remember),
        second_factor=bool(old and old.second_factor),
    )


def finish() -> None:
    """Sign out: the server-side session is deleted, then the cookies are cleared."""
    token = session.get("_user_id")
    if isinstance(token, str) and token:
        sessions.end(db.session, token)
        events.info("signed out: session %s", sessions.short_id(token))
    session.clear()
    logout_user()


def current_session_id() -> str | None:
    """The id (digest) of the session this request was signed in with, if any."""
    return g.get("staff_session_id")


def init_app(app: Flask) -> None:
    @app.teardown_request
    def _touch(_exc: BaseException | None) -> None:
        # After the request's own transaction ended: a short write of its own, so that
        # a read-only page never upgrades its read transaction (SQLite) to record this.
        pending = g.pop("staff_session_touch", None)
        if pending is None or db.session().in_transaction():
            return
        try:
            sessions.touch(db.session, *pending)
            db.session.commit()
        except Exception:  # the next request tries again; never fail a served page
            db.session.rollback()
            log.warning("could not record staff session activity", exc_info=True)
