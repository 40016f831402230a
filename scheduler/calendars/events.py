"""Appointments, drop-in sessions and published shifts as :class:`CalendarEvent` values.

The same mapping serves feeds and e-mail invitations, so an event keeps one UID and
one SEQUENCE wherever it appears. Callers pass URLs and the UID host in: this module
knows nothing about Flask or routing.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.calendars.ical import CalendarEvent, Person, event_uid
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    Mode,
    PublishedShift,
    PublishedShiftStatus,
    SessionStatus,
)

MODE_LABELS = {Mode.IN_PERSON: "In person", Mode.ONLINE: "Online", Mode.PHONE: "Phone"}


def _library_tz(library: object | None, default: str) -> str:
    return getattr(library, "timezone", None) or default


def appointment_location(appointment: Appointment) -> str:
    if appointment.mode == Mode.ONLINE:
        return "Online"
    if appointment.mode == Mode.PHONE:
        return "Phone"
    lib = appointment.library
    if lib is None:
        return ""
    return f"{lib.name}, {lib.address}" if lib.address else lib.name


def appointment_event(
    appointment: Appointment,
    *,
    host: str,
    url: str | None = None,
    for_patron: bool = False,
    show_patron: bool = False,
    default_tz: str = "Europe/Oslo",
) -> CalendarEvent:
    """One appointment, as the patron's invitation or as an entry in a librarian's feed.

    In the librarian's feed the patron stays out unless ``show_patron`` (feeds end up on
    Google's, Microsoft's and Apple's servers): the summary names the topic, and the
    URL leads to the details behind sign-in.
    """
    librarian = appointment.librarian
    topic = appointment.topic.name if appointment.topic else "Guidance"
    if for_patron:
        summary = f"Library guidance: {topic} with {librarian.name}"
        description = appointment.message or None
    else:
        summary = f"Guidance: {topic}"
        description = None
        if show_patron and appointment.patron_name:
            summary = f"Guidance: {topic} ({appointment.patron_name})"
            description = appointment.message or None
    organizer = Person(librarian.name, librarian.email)
    attendees: tuple[Person, ...] = ()
    if for_patron and appointment.patron_email:
        attendees = (
            Person(appointment.patron_name or appointment.patron_email, appointment.patron_email),
        )
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    return CalendarEvent(
        uid=event_uid("appointment", appointment.id, host),
        start=appointment.starts_at,
        end=appointment.ends_at,
        summary=summary,
        tz=_library_tz(appointment.library, default_tz),
        description=description,
        location=appointment_location(appointment),
        url=url,
        sequence=appointment.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
        last_modified=appointment.updated_at,
        organizer=organizer,
        attendees=attendees,
        categories=(MODE_LABELS[appointment.mode],),
    )


def session_event(
    session: DropInSession, *, host: str, url: str | None = None, default_tz: str = "Europe/Oslo"
) -> CalendarEvent:
    """A drop-in session or event, for the shared activity calendar and registrants."""
    location = session.location or ""
    if session.online_url:
        location = f"{location} ({session.online_url})" if location else session.online_url
    library = session.library
    if library is not None and library.name not in location:
        location = f"{location}, {library.name}" if location else library.name
    return CalendarEvent(
        uid=event_uid("session", session.id, host),
        start=session.starts_at,
        end=session.ends_at,
        summary=session.title,
        tz=_library_tz(library, default_tz),
        description=session.description,
        location=location or None,
        url=url,
        sequence=session.sequence,
        status="CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED",
        last_modified=session.updated_at,
        categories=tuple(c for c in (session.topic.name if session.topic else None,) if c),
    )


def shift_event(
    shift: PublishedShift,
    *,
    host: str,
    colleagues: Sequence[str] = (),
    url: str | None = None,
    default_tz: str = "Europe/Oslo",
) -> CalendarEvent:
    """A published desk shift: "Information desk, ground floor — with Ola"."""
    point = shift.service_point
    where = point.name
    if point.ground_floor:
        where = f"{where}, ground floor"
    summary = f"{where} — with {', '.join(colleagues)}" if colleagues else where
    library = point.library
    return CalendarEvent(
        uid=event_uid("shift", shift.id, host),
        start=shift.starts_at,
        end=shift.ends_at,
        summary=summary,
        tz=_library_tz(library, default_tz),
        location=", ".join(x for x in (point.location, library.name if library else None) if x)
        or None,
        url=url,
        sequence=shift.sequence,
        status="CANCELLED" if shift.status == PublishedShiftStatus.CANCELLED else "CONFIRMED",
        last_modified=shift.updated_at,
    )
