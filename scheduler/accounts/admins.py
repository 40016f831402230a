"""The first administrator (``scheduler create-admin``): created or promoted, never twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scheduler.accounts.audit import record
from scheduler.accounts.links import IssuedLink, issue_link
from scheduler.accounts.passwords import set_password
from scheduler.accounts.people import create_person, find_by_email, normalise_email
from scheduler.accounts.policy import check_password, user_words
from scheduler.errors import InputError
from scheduler.models.account import LinkPurpose
from scheduler.models.people import Person, Role
from scheduler.site import Site


@dataclass(frozen=True)
class AdminResult:
    person: Person
    created: bool
    # The one-time link to choose a password; None when a password was given.
    link: IssuedLink | None


def create_admin(
    session: Session,
    email: str,
    site: Site,
    *,
    name: str | None = None,
    password: str | None = None,
) -> AdminResult:
    """An active administrator with this address: a new account, or the existing one
    promoted (and its name updated when ``name`` is given). Without ``password`` the
    result carries a 24-hour link to choose one."""
    email = normalise_email(email)
    name = (name or "").strip() or None
    if name is not None and len(name) > 200:
        raise InputError.field("name", "is longer than 200 characters")
    person = find_by_email(session, email)
    created = person is None
    if password is not None:
        check_password(password, user_words(name or (person.name if person else ""), email))
    if person is None:
        if name is None:
            raise InputError.field("name", "is required to create an account")
        person = create_person(session, email=email, name=name, roles={Role.ADMIN})
    else:
        person.set_admin(True)
        person.active = True
        if name is not None:
            person.name = name
    link = None
    if password is not None:
        set_password(person, password)
    else:
        link = issue_link(session, person, LinkPurpose.SET, site)
    record(
        session,
        actor=None,
        action="admin.created" if created else "admin.promoted",
        person=person,
        now=site.now,
        details={"via": "command line"},
    )
    session.flush()
    return AdminResult(person=person, created=created, link=link)
