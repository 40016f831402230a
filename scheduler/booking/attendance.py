"""Who came: a librarian marks an appointment attended, no-show or cancelled late; drop-in
hosts check registrants in and count the people who came without registering.

The marks feed the second line's reports (:mod:`scheduler.booking.second_line_report`);
they change nothing else (no e-mail, no calendar change).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    DropInSession,
    Person,
    Registration,
    RegistrationStatus,
    Role,
)
from scheduler.reasons import _, conflict, input_error

MAX_WALK_INS = 1000


def may_mark_appointment(person: Person | None, appointment: Appointment) -> bool:
    """The appointment's own librarian, or a section leader of its library."""
    if person is None:
        return False
    if person.id == appointment.librarian_id or access.is_admin(person):
        return True
    return appointment.library_id is not None and access.holds(
        person, Role.SECTION_LEADER, appointment.library_id
    )


def mark_appointment(
    session: Session,
    actor: Person,
    appointment: Appointment,
    attendance: Attendance | None,
    now: datetime,
) -> None:
    """Record what became of a booked appointment (None takes the mark back)."""
    if not may_mark_appointment(actor, appointment):
        raise Forbidden(_("Only the librarian or a leader of the library can mark this."))
    if appointment.status != AppointmentStatus.BOOKED:
        raise conflict("attendance", _("only booked appointments can be marked"))
    if appointment.starts_at > now:
        raise input_error({"attendance": _("can be marked once the appointment has begun")})
    appointment.attendance = attendance
    appointment.attendance_marked_at = now if attendance is not None else None
    session.flush()


def may_host(person: Person | None, dropin: DropInSession) -> bool:
    """A host of the session, or a librarian or leader of its library."""
    if person is None:
        return False
    if any(h.id == person.id for h in dropin.hosts):
        return True
    return access.holds(person, Role.LIBRARIAN, dropin.library_id) or access.holds(
        person, Role.SECTION_LEADER, dropin.library_id
    )


def check_in(
    session: Session, actor: Person, registration: Registration, attended: bool, now: datetime
) -> None:
    """Tick a registrant off as present (or take the tick back)."""
    if not may_host(actor, registration.session):
        raise Forbidden(_("Only the session's hosts can check people in."))
    if registration.status != RegistrationStatus.REGISTERED:
        raise conflict("registration", _("only registered people can be checked in"))
    registration.attended_at = now if attended else None
    session.flush()


def count_walk_ins(session: Session, actor: Person, dropin: DropInSession, walk_ins: int) -> None:
    """How many came without registering."""
    if not may_host(actor, dropin):
        raise Forbidden(_("Only the session's hosts can check people in."))
    if not 0 <= walk_ins <= MAX_WALK_INS:
        raise input_error(
            {
                "walk_ins": _(
                    "must be a whole number from %(low)s to %(high)s", low=0, high=MAX_WALK_INS
                )
            }
        )
    dropin.walk_ins = walk_ins
    session.flush()
