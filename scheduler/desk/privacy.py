"""The free texts of the inquiry log: kept for the retention period, then forgotten.

The log holds no patron identity, but a description or a reflection can name someone
anyway. After ``retention_days`` both texts are cleared, unless a leader read them and
marked the entry anonymised. The counts stay: statistics never need the text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from scheduler.desk.roles import require_leader
from scheduler.models import Inquiry, Person

# How long free text is kept by default (the DESK_TEXT_RETENTION_DAYS setting).
DEFAULT_RETENTION_DAYS = 90


def purge_desk_text(
    session: Session, now: datetime, retention_days: int = DEFAULT_RETENTION_DAYS
) -> int:
    """Clear the free text of entries older than the retention period; how many.

    For the upkeep schedule (the ``purge`` task of :mod:`scheduler.upkeep.tasks`, and
    ``scheduler purge``): no actor, the caller's transaction.
    """
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(Inquiry)
        .where(
            Inquiry.asked_at < cutoff,
            Inquiry.anonymised.is_(False),
            or_(Inquiry.description.is_not(None), Inquiry.reflection.is_not(None)),
        )
        .values(description=None, reflection=None, text_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)


def mark_anonymised(session: Session, actor: Person, inquiry: Inquiry, anonymised: bool) -> None:
    """A leader vouches that the free text names nobody, so it outlives the retention."""
    require_leader(actor, inquiry.library_id)
    inquiry.anonymised = anonymised
    session.flush()
