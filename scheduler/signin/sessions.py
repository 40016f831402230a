"""Server-side staff sessions: start one at sign-in, check it on every request, end it.

The cookie carries a random token; the row's id is its SHA-256, so the database alone
signs nobody in. A session ends when it is deleted (sign-out, revoked from the list of
sessions, sign out everywhere), idle too long, past its absolute expiry, or when the
person's password changed (their session nonce no longer matches).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from scheduler import accounts
from scheduler.models import Person
from scheduler.models.signin import StaffSession
from scheduler.signin.policy import SessionPolicy
from scheduler.timeutil import utcnow

# last_seen_at is written at most this often per session (an idle timeout of minutes
# does not need a write on every request).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Device:
    """Where a sign-in came from, as shown in the list of sessions."""

    user_agent: str = ""
    ip_address: str = ""


def start(
    session: Session,
    person: Person,
    policy: SessionPolicy,
    device: Device,
    *,
    remember: bool = False,
    second_factor: bool = False,
) -> str:
    """Store a new session for ``person`` and return its token (for the cookie only)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StaffSession(
            id=accounts.token_digest(token),
            person_id=person.id,
            person_nonce=person.session_nonce,
            created_at=now,
            last_seen_at=now,
            expires_at=now + (policy.remember if remember else policy.lifetime),
            remember=remember,
            second_factor=second_factor,
            user_agent=device_summary(device.user_agent),
            ip_address=(device.ip_address or "")[:45],
        )
    )
    session.flush()
    return token


def find(session: Session, token: str, policy: SessionPolicy) -> StaffSession | None:
    """The live session for ``token``, or None if it ended, expired or idled out."""
    if not token or len(token) > 100:
        return None
    digest = accounts.token_digest(token)
    row = session.get(StaffSession, digest)
    if row is None or not accounts.tokens_equal(row.id, digest):
        return None
    person = row.person
    if not person.active or not accounts.tokens_equal(row.person_nonce, person.session_nonce):
        return None
    now = utcnow()
    if now >= row.expires_at:
        return None
    if not row.remember and now - row.last_seen_at >= policy.idle:
        return None
    return row


def short_id(token: str) -> str:
    """A few characters of the session's id for logs: enough to match lines, no secret."""
    return accounts.token_digest(token)[:12]


def touch_due(row: StaffSession) -> bool:
    return utcnow() - row.last_seen_at >= TOUCH_EVERY


def touch(session: Session, session_id: str, seen_at: datetime) -> None:
    """Record activity (idle timeout); a separate short write, see web/signin/loader.py."""
    session.execute(
        update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=seen_at)
    )


def end(session: Session, token: str) -> None:
    """Sign-out: the session's row goes, so every copy of its cookies stops working."""
    session.execute(delete(StaffSession).where(StaffSession.id == accounts.token_digest(token)))


def revoke(session: Session, person: Person, session_id: str) -> bool:
    """End one of ``person``'s own sessions (from the list); False if there is none."""
    result = session.execute(
        delete(StaffSession).where(
            StaffSession.id == session_id, StaffSession.person_id == person.id
        )
    )
    return bool(result.rowcount)


def end_all(session: Session, person: Person) -> int:
    """Sign out of every device; returns how many sessions ended."""
    result = session.execute(delete(StaffSession).where(StaffSession.person_id == person.id))
    return int(result.rowcount or 0)


def active(session: Session, person: Person, policy: SessionPolicy) -> list[StaffSession]:
    """``person``'s sessions that still work, most recently used first."""
    rows = session.scalars(
        select(StaffSession)
        .where(StaffSession.person_id == person.id)
        .order_by(StaffSession.last_seen_at.desc())
    ).all()
    now = utcnow()
    return [
        row
        for row in rows
        if row.expires_at > now
        and row.person_nonce == person.session_nonce
        and (row.remember or now - row.last_seen_at < policy.idle)
    ]


def purge_expired(session: Session, policy: SessionPolicy) -> int:
    """Delete sessions that can no longer be used (run by the workers' sweep)."""
    now = utcnow()
    result = session.execute(
        delete(StaffSession).where(
            or_(
                StaffSession.expires_at <= now,
                (StaffSession.remember.is_(False))
                & (StaffSession.last_seen_at <= now - policy.idle),
            )
        )
    )
    return int(result.rowcount or 0)


def device_summary(user_agent: str) -> str:
    """A short "Browser on system" for the list of sessions (the raw string is noise)."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} · {system}"
    return (browser or system or ua)[:200]


def sweep_expired(session: Session, config: dict) -> int:
    """The workers' sweep (scheduler/job_handlers.py): expired sessions are deleted."""
    return purge_expired(session, SessionPolicy.from_config(config))
