"""Brute force against one account: failed sign-ins slow it down, then lock it.

Failures are counted per e-mail address, whether or not an account has it, so that
neither the delay nor the lock tells an attacker which addresses exist (the per-client
limit of Flask-Limiter comes on top). After ``slow_after`` failures each further try
must wait twice as long as the one before (1 s, 2 s, 4 s …); at ``lock_after`` failures
the address is locked for ``lock_minutes``. While it waits, sign-in is refused without
looking at the password, so the refusal never says whether the password was right.
A successful sign-in or a new password clears the count.

The counter is raised with one atomic upsert, so concurrent guesses on PostgreSQL all
count; on SQLite the write transaction is serialised anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler.errors import DomainError
from scheduler.models.account import SignInThrottle
from scheduler.reasons import _
from scheduler.tokens import token_digest

# The longest wait between tries before the lock (when the lock comes late or never).
MAX_DELAY_SECONDS = 3600


@dataclass(frozen=True)
class ThrottleRules:
    """How many failures slow sign-in down, how many lock it, and for how long."""

    slow_after: int = 5
    lock_after: int = 10
    lock_minutes: int = 15

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottleRules:
        return cls(
            slow_after=int(config.get("SIGN_IN_SLOW_AFTER", cls.slow_after)),
            lock_after=int(config.get("SIGN_IN_LOCK_AFTER", cls.lock_after)),
            lock_minutes=int(config.get("SIGN_IN_LOCK_MINUTES", cls.lock_minutes)),
        )


class SignInThrottled(DomainError):
    """Sign-in for this address must wait ``retry_after`` seconds (HTTP 429)."""

    status = 429

    def __init__(self, retry_after: int, *, locked: bool) -> None:
        if locked:
            message = _(
                "Too many failed sign-ins for this account. "
                "Sign-in is locked for %(minutes)s minutes.",
                minutes=max(1, math.ceil(retry_after / 60)),
            )
        else:
            message = _(
                "Too many failed sign-ins for this account. Wait %(seconds)s seconds "
                "and try again.",
                seconds=retry_after,
            )
        super().__init__(message)
        self.retry_after = retry_after
        self.locked = locked


def email_digest(email: str) -> str:
    """The stored key: unknown addresses are counted too, so none is kept in clear."""
    return token_digest("sign-in:" + (email or "").strip().lower())


def check_allowed(session: Session, email: str, rules: ThrottleRules, now: datetime) -> None:
    """Raise :class:`SignInThrottled` if this address must wait before the next try."""
    row = session.get(SignInThrottle, email_digest(email))
    if row is None:
        return
    if row.locked_until is not None:
        if row.locked_until > now:
            raise SignInThrottled(_seconds(row.locked_until - now), locked=True)
        return  # the lock is over; the next failure starts counting again
    if row.failures >= rules.slow_after:
        ready = row.last_failure_at + slow_delay(row.failures, rules)
        if ready > now:
            raise SignInThrottled(_seconds(ready - now), locked=False)


def slow_delay(failures: int, rules: ThrottleRules) -> timedelta:
    """The wait after ``failures`` failures: doubling from one second, at most an hour."""
    steps = failures - rules.slow_after
    return timedelta(seconds=min(2 ** min(max(steps, 0), 12), MAX_DELAY_SECONDS))


def record_failure(session: Session, email: str, rules: ThrottleRules, now: datetime) -> bool:
    """Count one failed sign-in; True if this failure locked the address."""
    digest = email_digest(email)
    table = SignInThrottle.__table__
    lock_over = (table.c.locked_until.is_not(None)) & (table.c.locked_until <= now)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(email_digest=digest, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.email_digest],
        set_={
            "failures": case((lock_over, 1), else_=table.c.failures + 1),
            "locked_until": case((lock_over, None), else_=table.c.locked_until),
            "last_failure_at": now,
        },
    )
    session.execute(stmt)
    # Lock once: of concurrent failures past the limit, only one sets the time.
    locked = session.execute(
        update(SignInThrottle)
        .where(
            SignInThrottle.email_digest == digest,
            SignInThrottle.failures >= rules.lock_after,
            SignInThrottle.locked_until.is_(None),
        )
        .values(locked_until=now + timedelta(minutes=rules.lock_minutes), failures=0)
        .execution_options(synchronize_session=False)
    )
    loaded = session.identity_map.get(session.identity_key(SignInThrottle, digest))
    if loaded is not None:
        session.expire(loaded)
    return locked.rowcount == 1


def clear(session: Session, email: str) -> None:
    """Forget the failures of this address (signed in, or a new password was set)."""
    session.execute(
        delete(SignInThrottle)
        .where(SignInThrottle.email_digest == email_digest(email))
        .execution_options(synchronize_session=False)
    )


def forget_old(session: Session, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete counts whose last failure and lock are long over; how many."""
    result = session.execute(
        delete(SignInThrottle)
        .where(
            SignInThrottle.last_failure_at < now - older_than,
            (SignInThrottle.locked_until.is_(None)) | (SignInThrottle.locked_until < now),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
