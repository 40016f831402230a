"""Checking an e-mail address and password, with the per-account brute-force brake."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts import throttle
from scheduler.accounts.audit import record
from scheduler.accounts.notices import send_locked
from scheduler.accounts.passwords import hash_password, needs_rehash, verify_password
from scheduler.accounts.people import find_by_email
from scheduler.accounts.throttle import ThrottleRules
from scheduler.models.people import Person
from scheduler.site import Site
from scheduler.timeutil import utcnow


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    rules: ThrottleRules | None = None,
    site: Site | None = None,
) -> Person | None:
    """The active person with this e-mail and password, or None; the same cost either way.

    Raises :class:`~scheduler.accounts.throttle.SignInThrottled` (before looking at the
    password) while the address must wait. A failure is written to the session: the
    caller commits it even though it answers with an error. Both outcomes are recorded
    in the audit log. The failure that locks the
    address e-mails its owner (when there is one and ``site`` is given).
    """
    rules = rules or ThrottleRules()
    now = site.now if site is not None else utcnow()
    throttle.check_allowed(session, email, rules, now)
    person = find_by_email(session, email or "")
    ok = verify_password(person.password_hash if person else None, password or "")
    if not ok or person is None or not person.active:
        locked = throttle.record_failure(session, email, rules, now)
        audit.record(
            session,
            audit.Action.SIGN_IN_FAILED,
            actor=None,
            # A staff account's number, or the address as typed (never the password).
            subject=f"person:{person.id}" if person is not None else f"address:{email or ''}",
            at=now,
        )
        if locked and person is not None:
            until = now + timedelta(minutes=rules.lock_minutes)
            record(
                session,
                actor=None,
                action="sign_in.locked",
                person=person,
                now=now,
                details={"until": until.isoformat()},
            )
            if site is not None:
                send_locked(session, person, until, site)
        return None
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    person.last_login_at = now
    throttle.clear(session, email)
    audit.record(session, audit.Action.SIGN_IN, actor=person, subject=f"person:{person.id}", at=now)
    return person
