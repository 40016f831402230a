"""Password hashing (Argon2id) and setting a password under the rule of
:mod:`scheduler.accounts.policy`."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from scheduler.accounts.policy import MIN_LENGTH, check_password, user_words
from scheduler.models.people import Person

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = MIN_LENGTH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    except UnicodeEncodeError:  # a lone surrogate: no password can match it
        return False


def needs_rehash(stored_hash: str | None) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash or "")


def set_password(person: Person, password: str, field: str = "password") -> None:
    """Hash and store ``password`` if the rule allows it (``InputError`` on ``field``
    otherwise), and sign the person out everywhere else."""
    check_password(password, user_words(person.name, person.email), field=field)
    person.password_hash = hash_password(password)
    # Signing in again everywhere after a password change.
    person.session_nonce = secrets.token_hex(16)
