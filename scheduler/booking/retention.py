"""Personal data kept only as long as needed: what ``scheduler purge`` does, in one place.

Patrons' details on appointments (:mod:`scheduler.booking.appointments.purge`),
registrants' on drop-in registrations (:mod:`scheduler.booking.dropins.purge`) and the
stored e-mails that quote them (:mod:`scheduler.mail.outbox`, and their files in the
instance's outbox folder, :mod:`scheduler.mail.outbox_files`) and finished jobs (whose
results may name an address) are forgotten after the same retention period; holds that
were never confirmed are released. The upkeep scheduler runs this every night
(``UPKEEP_PURGE``); ``scheduler purge`` runs it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from scheduler.booking.appointments.purge import purge_appointments, release_expired_holds
from scheduler.booking.dropins.purge import purge_registrations
from scheduler.jobs.forget import delete_finished_jobs
from scheduler.mail.outbox import delete_old_emails
from scheduler.mail.outbox_files import delete_old_files


@dataclass(frozen=True)
class PurgeReport:
    appointments: int
    emails: int
    holds_released: int
    registrations: int = 0
    jobs: int = 0
    files: int = 0


def purge_personal_data(
    session: Session, *, now: datetime, retention_days: int, outbox: Path | None = None
) -> PurgeReport:
    """Everything the ``scheduler purge`` command does, in the caller's transaction;
    with ``outbox`` (the instance's outbox folder) its old e-mail files are deleted too
    (at once: a file cannot be rolled back, and the rows it copies are going anyway)."""
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    cutoff = now - timedelta(days=retention_days)
    return PurgeReport(
        holds_released=release_expired_holds(session, now=now),
        appointments=purge_appointments(session, now=now, retention_days=retention_days),
        emails=delete_old_emails(session, now=now, retention_days=retention_days),
        registrations=purge_registrations(session, now=now, retention_days=retention_days),
        jobs=delete_finished_jobs(session, before=cutoff),
        files=(
            delete_old_files(outbox, now=now, retention_days=retention_days)
            if outbox is not None
            else 0
        ),
    )
