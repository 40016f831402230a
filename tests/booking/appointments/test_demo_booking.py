"""The demo has appointments and availability changes to show, and no double bookings."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from sqlalchemy import select

from scheduler import demo
from scheduler.models import Appointment, AvailabilityException, Person


def test_demo_appointments_sit_in_free_slots_without_overlaps(db) -> None:
    demo.seed_demo(db.session, today=date(2027, 1, 4), password="demo-password-1")
    db.session.commit()
    appointments = db.session.scalars(select(Appointment)).all()
    assert len(appointments) >= 10
    by_librarian: dict[int, list[Appointment]] = {}
    for a in appointments:
        by_librarian.setdefault(a.librarian_id, []).append(a)
    for rows in by_librarian.values():
        rows.sort(key=lambda a: a.starts_at)
        for earlier, later in pairwise(rows):
            assert earlier.blocked_until <= later.starts_at
    main = db.session.scalar(select(Person).where(Person.email == "librarian@demo.example"))
    assert len(by_librarian[main.id]) >= 2
    assert any(a.booked_by_id for a in appointments)
    assert db.session.scalars(
        select(AvailabilityException).where(AvailabilityException.person_id == main.id)
    ).all()
