"""A signed-in person changes their own password (knowing the current one)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scheduler.accounts import throttle
from scheduler.accounts.audit import record
from scheduler.accounts.links import end_links
from scheduler.accounts.notices import send_password_changed
from scheduler.accounts.passwords import set_password, verify_password
from scheduler.errors import InputError
from scheduler.models.people import Person
from scheduler.reasons import _
from scheduler.site import Site


def change_password(session: Session, person: Person, current: str, new: str, site: Site) -> None:
    """Replace the password; other sessions and open password links end, and the
    person gets an e-mail about it (in case it was not them)."""
    if not verify_password(person.password_hash, current or ""):
        reason = _("is not your current password")
        raise InputError(f"current_password: {reason}", {"current_password": reason})
    if new == current:
        reason = _("is the same as your current password")
        raise InputError(f"new_password: {reason}", {"new_password": reason})
    set_password(person, new, field="new_password")
    end_links(session, person, site.now)
    throttle.clear(session, person.email)
    record(session, actor=person, action="password.changed", person=person, now=site.now)
    send_password_changed(session, person, site)
    session.flush()
