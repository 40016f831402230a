"""iCalendar (RFC 5545) for feeds and e-mail invitations, built in one place."""

from scheduler.calendars.events import (
    Colleague,
    appointment_event,
    dropin_event,
    shift_event,
)
from scheduler.calendars.ical import (
    CalendarEvent,
    Person,
    build_calendar,
    event_uid,
    uid_host,
)

__all__ = [
    "CalendarEvent",
    "Colleague",
    "Person",
    "appointment_event",
    "build_calendar",
    "dropin_event",
    "event_uid",
    "shift_event",
    "uid_host",
]
