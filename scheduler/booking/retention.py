"""Personal data kept only as long as needed: what ``scheduler purge`` does, in one place.

Patrons' details on appointments (:mod:`scheduler.booking.appointments.purge`),
registrants' on drop-in registrations (:mod:`scheduler.booking.dropins.purge`) and the
stored e-mails that quote them (:mod:`scheduler.mail.outbox`) are forgotten after the
same retention period; holds that were never confirmed are released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.booking.appointments.purge import purge_appointments, release_expired_holds
from scheduler.booking.dropins.purge import purge_registrations
from scheduler.mail.outbox import delete_old_emails


@dataclass(frozen=True)
class PurgeReport:
    appointments: int
    emails: int
    holds_released: int
    registrations: int = 0


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
