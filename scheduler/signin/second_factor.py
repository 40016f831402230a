"""The second sign-in factor: an authenticator app (TOTP, RFC 6238) and ten single-use
recovery codes for when the phone is lost.

A code is accepted once: the 30-second step it belongs to is remembered, so a code seen
over someone's shoulder cannot be replayed in the same window. Wrong codes are counted
per person; after :data:`MAX_FAILURES` in a row the second step is locked for
:data:`LOCK_FOR`, whatever address the attempts come from. Only digests of recovery
codes are stored, and the authenticator's key is sealed (Fernet, with the deployment's
``CALENDARS_SECRET_KEYS``): a copy of the database alone cannot make codes.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scheduler import access, accounts, audit
from scheduler.calendars.sources.problems import SourceProblem
from scheduler.calendars.sources.secretbox import SecretBox
from scheduler.errors import Forbidden, InputError
from scheduler.models import Person, Role
from scheduler.models.signin import RecoveryCode, SecondFactor
from scheduler.reasons import Reason, _
from scheduler.signin import sessions
from scheduler.timeutil import utcnow

STEP_SECONDS = 30
# Codes from one step before and after are taken too (a phone's clock drifts).
DRIFT_STEPS = 1
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass(frozen=True)
class Verdict:
    """The outcome of a second-step attempt; ``reason`` says why it failed."""

    ok: bool
    reason: Reason | None = None
    locked_until: datetime | None = None
    recovery_codes_left: int | None = None  # set when a recovery code was used


def required(person: Person, roles: str | Iterable[str]) -> bool:
    """True if one of ``person``'s roles must sign in with a second factor
    (``REQUIRE_2FA_ROLES``, comma-separated role names)."""
    if isinstance(roles, str):
        roles = [r.strip() for r in roles.split(",") if r.strip()]
    wanted = {Role(r) for r in roles}
    # A role held in any library counts: the account is the same everywhere.
    held = {r.role for r in person.library_roles} | ({Role.ADMIN} if person.is_admin else set())
    return bool(held & wanted)


def confirmed(session: Session, person: Person) -> SecondFactor | None:
    factor = session.get(SecondFactor, person.id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, person: Person, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=person.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG (no image request, no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


def enrol(session: Session, person: Person, secret: str, code: str, box: SecretBox) -> list[str]:
    """Confirm the authenticator with a code it shows; returns new recovery codes."""
    if confirmed(session, person) is not None:
        raise InputError.field("code", _("A second factor is already set up."))
    now = utcnow()
    step = _matching_step(secret, code or "", now)
    if step is None:
        raise InputError.field(
            "code", _("That code is not right. Check the app's clock and try the next code.")
        )
    factor = session.get(SecondFactor, person.id)
    if factor is None:
        factor = SecondFactor(person_id=person.id)
        session.add(factor)
    factor.secret = box.seal(secret)
    factor.confirmed_at = now
    factor.last_step = step
    factor.failures = 0
    factor.locked_until = None
    session.flush()
    audit.record(
        session,
        audit.Action.SECOND_FACTOR_ENROLLED,
        actor=person,
        subject=f"person:{person.id}",
        at=now,
    )
    return new_recovery_codes(session, person)


def new_recovery_codes(session: Session, person: Person) -> list[str]:
    """Ten fresh codes (shown once); the old ones stop working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _c in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(person_id=person.id, code_hash=_recovery_digest(raw)))
    session.flush()
    return codes


def recovery_codes_left(session: Session, person: Person) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.person_id == person.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def _recovery_digest(code: str) -> str:
    return accounts.token_digest("".join(c for c in code.lower() if c.isalnum()))


def verify(session: Session, person: Person, code: str, box: SecretBox) -> Verdict:
    """Check the second step. The caller commits even when it fails (the count of
    wrong codes must survive the refused request)."""
    factor = session.get(SecondFactor, person.id, with_for_update=True)
    if factor is None or factor.confirmed_at is None:
        return Verdict(False, _("No second factor is set up for this account."))
    now = utcnow()
    if factor.locked_until is not None and factor.locked_until > now:
        return Verdict(
            False,
            _("Too many wrong codes. Wait 15 minutes before you try again."),
            locked_until=factor.locked_until,
        )
    code = (code or "").strip()
    try:
        secret = box.open(factor.secret)
    except SourceProblem:  # the key that sealed it is gone
        return Verdict(
            False, _("Your second factor cannot be checked. Ask an administrator to reset it.")
        )
    step = _matching_step(secret, code, now)
    if step is not None:
        if factor.last_step is not None and step <= factor.last_step:
            return _failed(factor, now, _("That code has been used. Wait for the next one."))
        factor.last_step = step
        factor.failures = 0
        session.flush()
        return Verdict(True)
    used = _use_recovery_code(session, person, code, now)
    if used:
        factor.failures = 0
        session.flush()
        # audit: recovery code used (person)
        return Verdict(True, recovery_codes_left=recovery_codes_left(session, person))
    return _failed(factor, now, _("That code is not right."))


def _use_recovery_code(session: Session, person: Person, code: str, now: datetime) -> bool:
    if not 8 <= len(code) <= 20:
        return False
    row = session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.person_id == person.id,
            RecoveryCode.code_hash == _recovery_digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = now
    return True


def _failed(factor: SecondFactor, now: datetime, reason: Reason) -> Verdict:
    factor.failures += 1
    if factor.failures >= MAX_FAILURES:
        factor.failures = 0
        factor.locked_until = now + LOCK_FOR
        # audit: second step locked (person)
        return Verdict(
            False,
            _("Too many wrong codes. Wait 15 minutes before you try again."),
            locked_until=factor.locked_until,
        )
    return Verdict(False, reason)


def turn_off(session: Session, person: Person, roles_required: str) -> None:
    """A person who is not required to use a second factor may stop using it."""
    if required(person, roles_required):
        raise InputError.field("code", _("Your role requires a second factor."))
    _remove(session, person)
    audit.record(
        session, audit.Action.SECOND_FACTOR_TURNED_OFF, actor=person, subject=f"person:{person.id}"
    )


def reset(session: Session, actor: Person, person: Person) -> None:
    """An administrator removes ``person``'s second factor (a lost phone and lost codes):
    they set it up again at their next sign-in, and are signed out everywhere now."""
    if not access.is_admin(actor):
        raise Forbidden(_("Only administrators can reset a second factor."))
    _remove(session, person)
    sessions.end_all(session, person)
    audit.record(
        session, audit.Action.SECOND_FACTOR_RESET, actor=actor, subject=f"person:{person.id}"
    )


def _remove(session: Session, person: Person) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    session.execute(delete(SecondFactor).where(SecondFactor.person_id == person.id))
    session.flush()
