"""Personal data leaves after the retention period; hosts export registrants as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from scheduler.booking.dropins.export import registrants_csv
from scheduler.booking.dropins.purge import purge_registrations
from scheduler.booking.dropins.queries import registrants
from scheduler.models import Registration
from scheduler.timeutil import utcnow


def test_names_addresses_and_answers_go_after_the_retention_period(
    db, create_dropin, sign_up
) -> None:
    dropin = create_dropin(capacity=5, question="Why?", lunch=True)
    sign_up(dropin, 1, answer="Because", lunch=True)
    later = dropin.ends_at + timedelta(days=180)
    assert purge_registrations(db.session, now=later, retention_days=180) == 0
    purged = purge_registrations(db.session, now=later + timedelta(minutes=1), retention_days=180)
    assert purged == 1
    reg = db.session.scalar(select(Registration))
    assert (reg.name, reg.email, reg.answer) == (None, None, None)
    assert reg.purged_at is not None
    assert reg.lunch is True  # anonymous head counts stay
    assert purge_registrations(db.session, now=later + timedelta(days=1), retention_days=180) == 0


def test_upcoming_sessions_are_untouched(db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=5)
    sign_up(dropin, 1)
    assert purge_registrations(db.session, now=utcnow(), retention_days=0) == 0
    assert db.session.scalar(select(Registration.email)) == "student1@uni.example"


def test_csv_lists_places_then_waitlist_and_defuses_formulas(db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=1, question="Topics?", lunch=True)
    sign_up(dropin, 1, name='=HYPERLINK("x")', answer="Zotero, EndNote", lunch=True)
    sign_up(dropin, 2, answer="-", lunch=False)
    gone = sign_up(dropin, 3)
    gone.registrations[0].status = "cancelled"
    text = registrants_csv(registrants(db.session, dropin.id), tz="Europe/Oslo")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "email", "status", "position", "answer", "lunch", "registered_at"]
    assert [r[:6] for r in rows[1:]] == [
        ['\'=HYPERLINK("x")', "student1@uni.example", "registered", "", "Zotero, EndNote", "yes"],
        ["Student 2", "student2@uni.example", "waitlisted", "1", "'-", "no"],
    ]


def test_the_purge_command_covers_registrations(runner, db, create_dropin, sign_up):
    """``scheduler purge`` forgets registrants too (``purge --days -3`` is refused in
    tests/booking/appointments/test_retention.py)."""
    dropin = create_dropin(capacity=5)
    sign_up(dropin, 1)
    dropin.starts_at -= timedelta(days=400)
    dropin.ends_at -= timedelta(days=400)
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "registrations: 1" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Registration.email)) is None
