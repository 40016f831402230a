"""Read side: the busy times connected calendars give some people in a range, as the
free-slot service needs them (plain tuples, one query each, in the caller's transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import BusyInterval, BusyKind, CalendarSource


@dataclass(frozen=True)
class BusyPolicy:
    """How stored busy times count (settings ``CALENDARS_TENTATIVE_BLOCKS`` and
    ``CALENDARS_WHEN_FAILING``/``CALENDARS_WARN_AFTER_HOURS``)."""

    tentative_blocks: bool = True
    stop_when_failing: bool = False
    failing_after: timedelta = timedelta(hours=2)


@dataclass
class ConnectedBusy:
    """Busy ranges per person, and the people whose slots are withheld (a source that
    has failed too long, when the policy says to stop)."""

    busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    withheld: set[int] = field(default_factory=set)


def connected_busy(
    session: Session,
    person_ids: Iterable[int],
    lo: datetime,
    hi: datetime,
    *,
    now: datetime,
    policy: BusyPolicy,
) -> ConnectedBusy:
    """Busy ranges overlapping ``[lo, hi)`` of ``person_ids`` from their calendars."""
    ids = sorted(set(person_ids))
    if not ids:
        return ConnectedBusy()
    conn = session.connection()
    stmt = select(BusyInterval.person_id, BusyInterval.starts_at, BusyInterval.ends_at).where(
        BusyInterval.person_id.in_(ids),
        BusyInterval.starts_at < hi,
        BusyInterval.ends_at > lo,
    )
    if not policy.tentative_blocks:
        stmt = stmt.where(BusyInterval.kind == BusyKind.BUSY)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for person_id, start, end in conn.execute(stmt):
        busy[person_id].append((start, end))
    withheld: set[int] = set()
    if policy.stop_when_failing:
        withheld = set(
            conn.execute(
                select(CalendarSource.person_id).where(
                    CalendarSource.person_id.in_(ids),
                    CalendarSource.failing_since <= now - policy.failing_after,
                )
            ).scalars()
        )
    return ConnectedBusy(dict(busy), withheld)


def failing_sources(
    session: Session, person_id: int, *, now: datetime, after: timedelta
) -> list[CalendarSource]:
    """The person's sources that have failed for longer than ``after`` (for the page)."""
    return list(
        session.scalars(
            select(CalendarSource)
            .where(
                CalendarSource.person_id == person_id,
                CalendarSource.failing_since <= now - after,
            )
            .order_by(CalendarSource.id)
        )
    )


def next_busy(session: Session, source_id: int, now: datetime) -> BusyInterval | None:
    """The source's first busy time not yet over (for "next: Tue 12:00–13:30")."""
    return session.scalar(
        select(BusyInterval)
        .where(BusyInterval.source_id == source_id, BusyInterval.ends_at > now)
        .order_by(BusyInterval.starts_at)
        .limit(1)
    )
