"""Finding and creating people by their (normalised) e-mail address."""

from __future__ import annotations

from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.accounts.passwords import set_password
from scheduler.errors import InputError
from scheduler.models.library import Library
from scheduler.models.people import Person, Role


def normalise_email(raw: str, field: str = "email") -> str:
    """A syntactically valid address, lower-cased; InputError naming ``field`` otherwise."""
    raw = (raw or "").strip()
    if not raw:
        raise InputError.field(field, "is required")
    if len(raw) > 254:
        raise InputError.field(field, "is longer than 254 characters")
    try:
        info = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError.field(field, f"is not a valid e-mail address ({exc})") from None
    return info.normalized.lower()


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == (email or "").strip().lower()))


def create_person(
    session: Session,
    *,
    email: str,
    name: str,
    roles: set[Role] | list[Role] = (),
    libraries: Sequence[Library] = (),
    password: str | None = None,
    password_hash: str | None = None,
) -> Person:
    """A new account; ``roles`` other than administrator are held in each of ``libraries``."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise InputError.field("name", "is required")
    if session.scalar(select(func.count()).select_from(Person).where(Person.email == email)):
        raise InputError.field("email", "is already used by another person")
    person = Person(email=email, name=name)
    person.set_admin(Role.ADMIN in roles)
    for library in libraries:
        for role in sorted(set(roles) - {Role.ADMIN}):
            person.grant(role, library)
    if password is not None:
        set_password(person, password)
    elif password_hash is not None:
        person.password_hash = password_hash
    session.add(person)
    session.flush()
    return person
