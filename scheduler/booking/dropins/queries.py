"""Read-side queries for drop-ins: the listing with head counts, registrants, tokens.

Counting happens in SQL (one grouped query for a whole listing), so a page of sessions
costs a fixed number of queries however many people registered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from scheduler.accounts import token_digest
from scheduler.models import (
    DropInSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from scheduler.models.dropin import session_hosts


@dataclass(frozen=True)
class Counts:
    registered: int = 0
    waitlisted: int = 0
    # Registered people who join the lunch: the catering head count.
    lunch: int = 0


@dataclass(frozen=True)
class SessionListing:
    """A session with its head counts, as listings and the API show it."""

    dropin: DropInSession
    counts: Counts

    @property
    def remaining(self) -> int | None:
        """Free places; None when there is no limit (or no registration at all)."""
        s = self.dropin
        if not s.registration_required or s.capacity is None:
            return None
        return max(0, s.capacity - self.counts.registered)

    @property
    def full(self) -> bool:
        return self.remaining == 0

    def registration_open(self, now: datetime) -> bool:
        s = self.dropin
        return (
            s.registration_required
            and s.status == SessionStatus.ANNOUNCED
            and now < s.registration_closes_at
            and (not self.full or s.waitlist_enabled)
        )


def counts_for(session: Session, session_ids: Iterable[int]) -> dict[int, Counts]:
    """Registered, waitlisted and lunch counts for each session id (zeros included)."""
    ids = list(session_ids)
    out = {i: Counts() for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(
            Registration.session_id,
            func.count().filter(Registration.status == RegistrationStatus.REGISTERED),
            func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
            func.sum(
                case(
                    (
                        (Registration.status == RegistrationStatus.REGISTERED)
                        & Registration.lunch.is_(True),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .where(
            Registration.session_id.in_(ids),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(Registration.session_id)
    )
    for session_id, registered, waitlisted, lunch in rows:
        out[session_id] = Counts(int(registered), int(waitlisted), int(lunch or 0))
    return out


def list_sessions(
    session: Session,
    *,
    start: date,
    end: date,
    topic_id: int | None = None,
    library_id: int | None = None,
    host_id: int | None = None,
    include_cancelled: bool = False,
    default_tz: str = "Europe/Oslo",
) -> list[SessionListing]:
    """Sessions whose local date (in their library's zone) is within ``start``..``end``."""
    # A day's margin on both sides covers every zone; the exact cut is made per library.
    lo = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo("UTC")) - timedelta(days=1)
    hi = datetime(end.year, end.month, end.day, tzinfo=ZoneInfo("UTC")) + timedelta(days=2)
    stmt = (
        select(DropInSession)
        .where(DropInSession.starts_at >= lo, DropInSession.starts_at < hi)
        .options(
            selectinload(DropInSession.library),
            selectinload(DropInSession.topic),
            selectinload(DropInSession.hosts),
        )
        .order_by(DropInSession.starts_at, DropInSession.id)
    )
    if not include_cancelled:
        stmt = stmt.where(DropInSession.status == SessionStatus.ANNOUNCED)
    if topic_id is not None:
        stmt = stmt.where(DropInSession.topic_id == topic_id)
    if library_id is not None:
        stmt = stmt.where(DropInSession.library_id == library_id)
    if host_id is not None:
        stmt = stmt.where(
            DropInSession.id.in_(
                select(session_hosts.c.session_id).where(session_hosts.c.person_id == host_id)
            )
        )
    sessions = [s for s in session.scalars(stmt) if start <= local_date(s, default_tz) <= end]
    counts = counts_for(session, [s.id for s in sessions])
    return [SessionListing(s, counts[s.id]) for s in sessions]


def local_date(dropin: DropInSession, default_tz: str = "Europe/Oslo") -> date:
    tz = dropin.library.timezone if dropin.library else default_tz
    return dropin.starts_at.astimezone(ZoneInfo(tz)).date()


def listing_for(session: Session, dropin: DropInSession) -> SessionListing:
    return SessionListing(dropin, counts_for(session, [dropin.id])[dropin.id])


def series_listings(session: Session, series_id: int) -> list[SessionListing]:
    """Every session of a series (past, cancelled and all), in time order, with counts."""
    sessions = list(
        session.scalars(
            select(DropInSession)
            .where(DropInSession.series_id == series_id)
            .order_by(DropInSession.starts_at, DropInSession.id)
        )
    )
    counts = counts_for(session, [s.id for s in sessions])
    return [SessionListing(s, counts[s.id]) for s in sessions]


def registrants(session: Session, session_id: int) -> list[Registration]:
    """Registered people first (in order of registration), then the waitlist, then cancelled."""
    rank = case(
        (Registration.status == RegistrationStatus.REGISTERED, 0),
        (Registration.status == RegistrationStatus.WAITLISTED, 1),
        else_=2,
    )
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.session_id == session_id)
            .order_by(rank, Registration.position, Registration.created_at, Registration.id)
        )
    )


def registrations_for_token(session: Session, token: str) -> list[Registration]:
    """The registrations a manage link covers (several for a series), in time order.

    Only the digest is stored; looking it up by digest compares nothing secret in Python.
    """
    if not token or len(token) > 100:
        return []
    return list(
        session.scalars(
            select(Registration)
            .join(Registration.session)
            .where(Registration.manage_token_hash == token_digest(token))
            .options(selectinload(Registration.session).selectinload(DropInSession.library))
            .order_by(DropInSession.starts_at, Registration.id)
        )
    )
