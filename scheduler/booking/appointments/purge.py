"""Patrons' details kept only as long as needed, and holds that ran out.

After ``RETENTION_DAYS`` from the end of an appointment, the patron's name, address,
message and answers are blanked (``purged_at`` says when). The appointment itself stays,
so that statistics ("how many guidance sessions per topic") still add up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from scheduler.models import Appointment, AppointmentStatus


def purge_appointments(session: Session, *, now: datetime, retention_days: int) -> int:
    """Blank patron details of appointments that ended more than ``retention_days`` ago."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(Appointment)
        .where(Appointment.ends_at < cutoff, Appointment.purged_at.is_(None))
        .values(
            patron_name=None,
            patron_email=None,
            message=None,
            answers=None,
            cancel_message=None,
            verify_token_hash=None,
            purged_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def release_expired_holds(session: Session, *, now: datetime) -> int:
    """Pending bookings never confirmed in time: mark them cancelled ("expired")."""
    result = session.execute(
        update(Appointment)
        .where(
            Appointment.status == AppointmentStatus.PENDING,
            Appointment.hold_expires_at <= now,
        )
        .values(status=AppointmentStatus.CANCELLED, cancelled_at=now, cancelled_by="expired")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
