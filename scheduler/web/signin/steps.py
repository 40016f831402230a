"""The steps of a staff sign-in after a right password: straight in, a code from the
authenticator first, or (a role that requires one, none set up yet) enrolment first.

Between the steps the Flask session holds only who passed the password and when
(signed, never a sign-in): the person can do nothing but the next step, for
:data:`PENDING_FOR`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, redirect, session, url_for

from scheduler import accounts
from scheduler.extensions import db
from scheduler.models import Person
from scheduler.signin import second_factor
from scheduler.timeutil import utcnow
from scheduler.web.signin import current

PENDING_KEY = "signin_pending"
PENDING_FOR = timedelta(minutes=10)


def after_password(person: Person, *, remember: bool, next_url: str | None) -> Any:
    """Where a right password leads: the response to send."""
    factor = second_factor.confirmed(db.session, person)
    must_enrol = factor is None and second_factor.required(
        person, current_app.config["REQUIRE_2FA_ROLES"]
    )
    if factor is None and not must_enrol:
        current.begin(person, remember=remember, second_factor=False)
        return redirect(next_url or url_for("staff.dashboard"))
    session.clear()  # nothing of the anonymous session survives the password step
    session[PENDING_KEY] = {
        "person": person.id,
        "nonce": person.session_nonce,
        "remember": bool(remember),
        "next": next_url or "",
        "at": utcnow().timestamp(),
    }
    if must_enrol:
        return redirect(url_for("two_factor.enrol_at_sign_in"))
    return redirect(url_for("two_factor.second_step"))


def pending_person() -> Person | None:
    """The person between the password and the second step, if still in time."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        started = float(pending["at"])
        person = db.session.get(Person, int(pending["person"]))
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow().timestamp() - started > PENDING_FOR.total_seconds():
        return None
    if (
        person is None
        or not person.active
        or not accounts.tokens_equal(person.session_nonce, str(pending.get("nonce", "")))
    ):
        return None
    return person


def finish(person: Person) -> Any:
    """The second step is done: sign in and go where the person was going."""
    pending = session.get(PENDING_KEY) or {}
    target = pending.get("next") or url_for("staff.dashboard")
    current.begin(person, remember=bool(pending.get("remember")), second_factor=True)
    return redirect(target)


def next_url() -> str:
    pending = session.get(PENDING_KEY) or {}
    return pending.get("next") or url_for("staff.dashboard")
