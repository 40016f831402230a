"""Personal data is kept only as long as needed: the purge and its command."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from scheduler.booking.appointments import book as svc
from scheduler.booking.retention import purge_personal_data
from scheduler.models import Appointment, AppointmentStatus, OutboundEmail
from tests.booking.appointments.helpers import NOW, TUESDAY, at


def test_purge_blanks_patron_details_after_the_retention(db, site, librarian, request_for) -> None:
    old = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site).appointment
    recent = svc.book(
        db.session, request_for(librarian, at(TUESDAY + timedelta(days=7), 9)), site=site
    ).appointment
    # 180 days after the first appointment ended, but not after the second.
    later = old.ends_at + timedelta(days=180, hours=1)
    report = purge_personal_data(db.session, now=later, retention_days=180)
    db.session.commit()
    assert report.appointments == 1
    assert report.emails == 0  # e-mails still pending are never deleted
    db.session.refresh(old)
    db.session.refresh(recent)
    assert (old.patron_name, old.patron_email, old.message, old.answers) == (None, None, None, None)
    assert old.purged_at == later
    assert old.starts_at == at(TUESDAY, 9)  # the appointment itself stays for statistics
    assert recent.patron_email is not None
    assert recent.purged_at is None
    # Purging again changes nothing.
    assert purge_personal_data(db.session, now=later, retention_days=180).appointments == 0


def test_purge_deletes_old_sent_emails_and_releases_expired_holds(
    db, site, librarian, request_for, topic, create_topic_group
) -> None:
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    for mail in db.session.scalars(select(OutboundEmail)):
        mail.state = "sent"
        mail.created_at = NOW - timedelta(days=200)
    topic.group = create_topic_group(allowed_email_domains="uni.example")
    pending = svc.book(db.session, request_for(librarian, at(TUESDAY, 10, 30)), site=site)
    report = purge_personal_data(db.session, now=NOW + timedelta(hours=1), retention_days=180)
    assert report.emails == 2
    assert report.holds_released == 1
    db.session.refresh(pending.appointment)
    assert pending.appointment.status == AppointmentStatus.CANCELLED
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 1


def test_purge_command(db, site, runner, librarian, request_for) -> None:
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    db.session.commit()
    with time_machine.travel(at(TUESDAY, 12) + timedelta(days=31), tick=False):
        kept = runner.invoke(args=["purge"])  # RETENTION_DAYS = 180
        assert kept.exit_code == 0, kept.output
        assert "Purged appointments: 0" in kept.output
        purged = runner.invoke(args=["purge", "--days", "30"])
    assert "Purged appointments: 1" in purged.output
    assert db.session.scalar(select(Appointment.patron_email)) is None
    bad = runner.invoke(args=["purge", "--days", "-3"])
    assert bad.exit_code == 2
    assert "--days" in bad.output
