"""Plain event values and the one function that turns them into iCalendar bytes.

Everything that emits iCalendar (staff feeds, the public drop-in feed, invitation and
cancellation attachments in e-mails) describes its events as :class:`CalendarEvent` and
calls :func:`build_calendar`, so UIDs, SEQUENCE, time zones and escaping are right once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

PRODID = "-//Library services//scheduler//EN"


def event_uid(kind: str, ident: int | str, host: str) -> str:
    """A UID that never changes for the same appointment, session or shift."""
    return f"{kind}-{ident}@{host}"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime  # aware; written in ``tz`` so clients show the library's wall time
    end: datetime
    summary: str
    tz: str = "Europe/Oslo"
    description: str | None = None
    location: str | None = None
    url: str | None = None
    sequence: int = 0
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    last_modified: datetime | None = None
    organizer: Person | None = None
    attendees: tuple[Person, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = value
    return address


def _event(item: CalendarEvent, stamp: datetime) -> Event:
    tz = ZoneInfo(item.tz)
    ev = Event()
    ev.add("uid", item.uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", item.start.astimezone(tz))
    ev.add("dtend", item.end.astimezone(tz))
    ev.add("summary", item.summary)
    ev.add("sequence", item.sequence)
    ev.add("status", item.status)
    if item.last_modified is not None:
        ev.add("last-modified", item.last_modified)
    if item.description:
        ev.add("description", item.description)
    if item.location:
        ev.add("location", item.location)
    if item.url:
        ev.add("url", item.url)
    if item.categories:
        ev.add("categories", list(item.categories))
    if item.organizer is not None:
        ev["organizer"] = _address(item.organizer)
    for attendee in item.attendees:
        ev.add(
            "attendee",
            _address(attendee, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE"),
        )
    return ev


def build_calendar(
    events: Iterable[CalendarEvent],
    *,
    stamp: datetime,
    method: str | None = None,
    name: str | None = None,
    timezone: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """Assemble a VCALENDAR with one VTIMEZONE per zone used; returns the bytes to send.

    ``method`` is REQUEST or CANCEL for e-mail invitations (iTIP), PUBLISH or None for
    feeds. ``stamp`` is the DTSTAMP (the time the object was created, in UTC).
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    if timezone:
        cal.add("x-wr-timezone", timezone)
    if refresh is not None:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal["x-published-ttl"] = vDuration(refresh)  # a bare timedelta would print "1:00:00"
    for item in events:
        cal.add_component(_event(item, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()
