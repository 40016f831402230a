"""Capacity and waitlist: locking a session, counting places, moving people up.

Every change to who holds a place in a session (a registration, a cancellation, a
capacity change) first locks the session's row with ``SELECT ... FOR UPDATE``, so on
PostgreSQL concurrent requests for one session take turns between the count and the
insert; under READ COMMITTED each later statement then sees what the previous holder
committed. SQLite needs no row lock: a transaction that may write begins IMMEDIATE and
holds the database's write lock from its first statement (see ``scheduler.database``).
Waitlist positions are kept as 1..n without gaps by renumbering under the same lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.booking.dropins.notices import send_promotion
from scheduler.models import DropInSession, Registration, RegistrationStatus, SessionStatus
from scheduler.site import Site


def lock_sessions(session: Session, ids: Iterable[int]) -> list[DropInSession]:
    """Lock the sessions' rows (in id order, so two lockers never deadlock) and reload them."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        session.scalars(
            select(DropInSession)
            .where(DropInSession.id.in_(wanted))
            .order_by(DropInSession.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def registered_count(session: Session, session_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
        or 0
    )


def waitlist(session: Session, session_id: int) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.position, Registration.id)
        )
    )


def renumber_waitlist(session: Session, session_id: int) -> list[Registration]:
    """Close the gaps someone leaving made: positions become 1..n in the same order."""
    waiting = waitlist(session, session_id)
    for n, reg in enumerate(waiting, start=1):
        if reg.position != n:
            reg.position = n
    return waiting


def fill_from_waitlist(
    session: Session, dropin: DropInSession, site: Site, now: datetime
) -> list[Registration]:
    """Give free places to the first people on the waitlist and tell them by e-mail.

    Only while the session is announced and has not started: nobody is sent an
    invitation to something already under way. The caller holds the session's lock.
    """
    if (
        dropin.status != SessionStatus.ANNOUNCED
        or now >= dropin.starts_at
        or not dropin.registration_required
    ):
        return []
    waiting = waitlist(session, dropin.id)
    if dropin.capacity is None:
        promoted = waiting
    else:
        free = dropin.capacity - registered_count(session, dropin.id)
        promoted = waiting[: max(0, free)]
    for reg in promoted:
        reg.status = RegistrationStatus.REGISTERED
        reg.position = None
        reg.promoted_at = now
    if promoted:
        session.flush()
        renumber_waitlist(session, dropin.id)
        session.flush()
        for reg in promoted:
            send_promotion(session, site, reg, now)
    return promoted
