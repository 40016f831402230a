"""Reminders the day before: fit for cron, safe to run as often and as many times as you
like (each appointment is claimed once through ``reminder_sent_at``)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from scheduler.booking.appointments import notices
from scheduler.booking.appointments.book import current_manage_token
from scheduler.models import Appointment, AppointmentStatus
from scheduler.site import Site


def due_reminders(session: Session, site: Site) -> list[Appointment]:
    """Booked appointments later today or tomorrow (library time) not yet reminded of."""
    candidates = session.scalars(
        select(Appointment)
        .options(joinedload(Appointment.library))
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.reminder_sent_at.is_(None),
            Appointment.purged_at.is_(None),
            Appointment.patron_email.is_not(None),
            Appointment.starts_at > site.now,
            Appointment.starts_at < site.now + timedelta(hours=50),
        )
        .order_by(Appointment.starts_at)
    ).all()
    due = []
    for appointment in candidates:
        tz = ZoneInfo(appointment.library.timezone if appointment.library else site.default_tz)
        tomorrow = site.now.astimezone(tz).date() + timedelta(days=1)
        if appointment.starts_at.astimezone(tz).date() <= tomorrow:
            due.append(appointment)
    return due


def send_reminders(session: Session, *, site: Site) -> int:
    """Queue a reminder for each due appointment; returns how many were queued."""
    sent = 0
    for appointment in due_reminders(session, site):
        # Claim it: a second run (or a concurrent one) finds reminder_sent_at set.
        claimed = session.execute(
            update(Appointment)
            .where(Appointment.id == appointment.id, Appointment.reminder_sent_at.is_(None))
            .values(reminder_sent_at=site.now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        appointment.reminder_sent_at = site.now
        notices.send_reminder(session, appointment, current_manage_token(appointment, site), site)
        sent += 1
    session.flush()
    return sent
