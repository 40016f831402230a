"""Forget registrants' personal data once a session is long past.

Names, addresses and answers are cleared ``retention_days`` after the session ended;
the rows stay (status and lunch only) so head counts and statistics survive.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.models import DropInSession, Registration


def purge_registrations(session: Session, *, now: datetime, retention_days: int) -> int:
    """Clear personal data of registrations for sessions that ended before the cutoff;
    returns how many rows were purged. Safe to run again (purged rows are skipped)."""
    cutoff = now - timedelta(days=retention_days)
    ended = select(DropInSession.id).where(DropInSession.ends_at < cutoff)
    result = session.execute(
        update(Registration)
        .where(Registration.session_id.in_(ended), Registration.purged_at.is_(None))
        .values(name=None, email=None, answer=None, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result.rowcount or 0
