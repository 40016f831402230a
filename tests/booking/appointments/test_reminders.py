"""Reminders the day before: the right appointments, once each, from a cron-fit command."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments.reminders import send_reminders
from tests.booking.appointments.helpers import TODAY, TUESDAY, at, emails_to, site_at

WEDNESDAY = TUESDAY + timedelta(days=1)


@pytest.fixture
def three(db, site, librarian, request_for):
    """Booked for Tuesday and Wednesday, and one Tuesday booking that was cancelled."""
    tuesday = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="tue@uni.example"), site=site
    )
    wednesday = svc.book(
        db.session, request_for(librarian, at(WEDNESDAY, 9), email="wed@uni.example"), site=site
    )
    gone = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 10, 30), email="gone@uni.example"), site=site
    )
    svc.cancel_by_patron(db.session, gone.manage_token, site=site)
    return tuesday, wednesday


def test_reminders_go_out_for_tomorrow_once(db, three) -> None:
    tuesday, _wednesday = three
    evening = site_at(at(TODAY, 18))
    assert send_reminders(db.session, site=evening) == 1
    (reminder,) = [m for m in emails_to(db, "tue@uni.example") if m.subject.startswith("Reminder")]
    assert tuesday.manage_token in reminder.body_text  # "cannot come? cancel here"
    assert "Help with searching CINAHL" not in reminder.body_text  # never quoted
    assert tuesday.appointment.reminder_sent_at == evening.now
    # Running again (cron every hour) sends nothing new.
    assert send_reminders(db.session, site=site_at(at(TODAY, 19))) == 0
    assert [m for m in emails_to(db, "wed@uni.example") if m.subject.startswith("Reminder")] == []
    assert [m for m in emails_to(db, "gone@uni.example") if m.subject.startswith("Reminder")] == []


def test_a_moved_appointment_is_reminded_again(db, site, three) -> None:
    tuesday, _wednesday = three
    send_reminders(db.session, site=site_at(at(TODAY, 7, 30) + timedelta(hours=1)))
    svc.reschedule(db.session, tuesday.manage_token, at(WEDNESDAY, 10, 30), site=site)
    assert tuesday.appointment.reminder_sent_at is None
    assert send_reminders(db.session, site=site_at(at(TUESDAY, 8))) == 2  # both Wednesday


def test_the_command_is_safe_to_repeat(app, db, runner, three) -> None:
    db.session.commit()
    with time_machine.travel(at(TODAY, 20), tick=False):
        first = runner.invoke(args=["send-reminders"])
        second = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "Reminders queued: 1" in first.output
    assert "Reminders queued: 0" in second.output


def test_reminders_at_the_dst_change(db, create_librarian, request_for) -> None:
    """Saturday 30 October 2027, 09:30: Sunday's 09:00 is more than 24 hours away (the
    clocks go back that night) but it is tomorrow, so the reminder goes out."""
    librarian = create_librarian(
        windows=[(6, time(9), time(12))], min_notice_minutes=0, horizon_days=365
    )
    saturday = date(2027, 10, 30)
    booked = svc.book(
        db.session,
        request_for(librarian, at(saturday + timedelta(days=1), 9)),
        site=site_at(at(saturday, 8)),
    )
    run_at = at(saturday, 9, 30)
    assert booked.appointment.starts_at - run_at == timedelta(hours=24, minutes=30)
    assert send_reminders(db.session, site=site_at(run_at)) == 1
