"""A staff cancellation of an appointment is recorded: who, which appointment, and
not the patron's name, address or the message to them."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.booking.appointments.book import book, cancel_by_staff
from scheduler.models import AuditEntry, Role
from tests.booking.appointments.helpers import TUESDAY, at


def test_staff_cancellation(db, site, librarian, request_for, create_person, entries) -> None:
    booked = book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), name="Åse Ødegård", email="ase@student.example"),
        site=site,
    ).appointment
    admin = create_person(Role.ADMIN)
    cancel_by_staff(db.session, booked.id, actor=admin, message="Sorry Åse", site=site)
    (entry,) = entries("appointment.cancelled")
    assert (entry.actor_id, entry.subject) == (admin.id, f"appointment:{booked.id}")
    assert entry.details == {"librarian": librarian.id, "by": "staff"}
    logged = repr(
        [(e.subject, e.reason, e.details) for e in db.session.scalars(select(AuditEntry))]
    )
    assert "Åse" not in logged
    assert "ase@student.example" not in logged
