"""Personal data kept only as long as needed: purge patrons' details after retention.

After ``RETENTION_DAYS`` from the end of an appointment, the patron's name, address,
message and answers are blanked (``purged_at`` says when). The appointment itself stays,
so that statistics ("how many guidance sessions per topic") still add up. Stored
outgoing e-mails, which quote names and addresses, are deleted after the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from scheduler.booking.dropins.purge import purge_registrations
from scheduler.models import Appointment, AppointmentStatus, EmailState, OutboundEmail


@dataclass(frozen=True)
class PurgeReport:
    appointments: int
    emails: int
    holds_released: int
    registrations: int = 0


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


def delete_old_emails(session: Session, *, now: datetime, retention_days: int) -> int:
    """Delete sent or failed e-mails older than the retention (they quote personal data)."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        delete(OutboundEmail)
        .where(
            OutboundEmail.created_at < cutoff,
            OutboundEmail.state.in_([EmailState.SENT, EmailState.FAILED]),
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


def purge_personal_data(session: Session, *, now: datetime, retention_days: int) -> PurgeReport:
    """Everything the ``scheduler purge`` command does, in the caller's transaction."""
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    return PurgeReport(
        holds_released=release_expired_holds(session, now=now),
        appointments=purge_appointments(session, now=now, retention_days=retention_days),
        emails=delete_old_emails(session, now=now, retention_days=retention_days),
        registrations=purge_registrations(session, now=now, retention_days=retention_days),
    )
