"""Staff accounts: password hashing (Argon2id), sign-in checks, creating people."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.errors import InputError
from scheduler.models.library import Library
from scheduler.models.people import Person, Role
from scheduler.timeutil import utcnow

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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
    return session.scalar(select(Person).where(Person.email == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """The active person with this e-mail and password, or None; the same cost either way."""
    person = find_by_email(session, email or "")
    ok = verify_password(person.password_hash if person else None, password or "")
    if not ok or person is None or not person.active:
        return None
    if _hasher.check_needs_rehash(person.password_hash or ""):
        person.password_hash = hash_password(password)
    person.last_login_at = utcnow()
    return person


def set_password(person: Person, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InputError.field(
            "password", f"must be at least {MIN_PASSWORD_LENGTH} characters long"
        )
    person.password_hash = hash_password(password)
    # Signing in again everywhere after a password change.
    person.session_nonce = secrets.token_hex(16)


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


def token_digest(token: str) -> str:
    """The stored form of a secret token (feeds, manage links, API tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh URL-safe secret with 192 bits of randomness, and its digest."""
    token = secrets.token_urlsafe(24)
    return token, token_digest(token)


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
