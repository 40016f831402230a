"""The demo has sign-ups to look at: a waitlist, a course booked whole, a lunch count."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scheduler import demo
from scheduler.booking.dropins.queries import counts_for
from scheduler.models import DropInSession, RegistrationStatus


def test_demo_registrations(db) -> None:
    demo.seed_demo(db.session, today=date.today(), password="demo-password-1")
    sessions = db.session.scalars(select(DropInSession)).all()
    counts = counts_for(db.session, [s.id for s in sessions])
    clinic = next(s for s in sessions if s.title == "Systematic searching clinic")
    assert counts[clinic.id].registered == clinic.capacity
    positions = sorted(
        r.position for r in clinic.registrations if r.status == RegistrationStatus.WAITLISTED
    )
    assert positions == [1, 2, 3]
    course = [s for s in sessions if s.title.startswith("Get started with EndNote")]
    tokens = [{r.manage_token_hash for r in s.registrations} for s in course]
    assert tokens[0] == tokens[1] == tokens[2]  # one sign-up for the whole course
    assert any(r.answer for r in course[0].registrations)
    day = next(s for s in sessions if s.title == "Open science day")
    assert day.lunch
    assert 0 < counts[day.id].lunch < counts[day.id].registered
