"""Plain event values and the one function that turns them into iCalendar bytes.

Everything that emits iCalendar (staff feeds, the public drop-in feed, invitation and
cancellation attachments in e-mails) describes its events as :class:`CalendarEvent` and
calls :func:`build_calendar`, so UIDs, SEQUENCE, time zones and escaping are right once.

Values are encoded by the ``icalendar`` library (escaping, date-time and duration
formats), with three corrections of our own: VTIMEZONE comes from
:mod:`scheduler.calendars.timezones` (compact and correct instead of icalendar's
1970-2038 RDATE list), text is cleaned of control characters that would break a content
line, and ``REFRESH-INTERVAL``/``X-PUBLISHED-TTL`` are written as durations.

Feed events take a faster road to the same bytes: icalendar's ``Component.to_ical``
costs 0.3-0.6 ms per event (most of it a per-character folding loop), which is 150 ms
for a year of shifts before the first byte is sent. :func:`_feed_event_bytes` writes
the few property types a feed uses itself (TEXT escaping, UTC and local DATE-TIME,
folding on bytes) in about 20 µs; a test checks on hundreds of random events that its
logical lines are exactly icalendar's own serialisation. Invitations (with
ORGANIZER and ATTENDEE) are serialised by icalendar directly. Serialised events are also
memoised by value, so an unchanged feed is reassembled from memory.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    vCalAddress,
    vDuration,
    vText,
    vUri,
)

from scheduler.calendars.timezones import is_utc, vtimezone

PRODID = "-//Library services//scheduler//EN"
# VEVENTs kept serialised in memory: about 0.5 KB each, so this is some 10 MB at most.
EVENT_CACHE_SIZE = 20_000

_CALENDAR_END = b"END:VCALENDAR\r\n"
# Characters RFC 5545 does not allow in TEXT (controls other than tab and newline).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def event_uid(kind: str, ident: int | str, host: str) -> str:
    """A UID that never changes for the same appointment, session or shift."""
    return f"{kind}-{ident}@{host}"


def uid_host(public_url: str) -> str:
    """The host part of UIDs, from ``PUBLIC_URL``: the same for feeds and e-mails."""
    return (urlsplit(public_url).hostname or "scheduler.invalid").lower()


def clean_text(value: str) -> str:
    """Newlines as ``\\n`` and no other control characters (a bare CR breaks a line)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


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
    # A video meeting address (RFC 7986 CONFERENCE, FEATURE=VIDEO).
    conference: str | None = None
    sequence: int = 0
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    last_modified: datetime | None = None
    organizer: Person | None = None
    attendees: tuple[Person, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)
    created: datetime | None = None
    # TRANSP:TRANSPARENT: shown, but does not make the subscriber look busy.
    transparent: bool = False

    def __post_init__(self) -> None:
        for name in ("start", "end", "last_modified", "created"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"CalendarEvent.{name} must be timezone-aware, got {value!r}")


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(clean_text(person.name).replace('"', "'"))
    for key, value in params.items():
        address.params[key] = value
    return address


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _local(value: datetime, tz: str) -> datetime:
    if is_utc(tz):
        return _utc(value)
    return value.astimezone(ZoneInfo(tz)).replace(microsecond=0)


def _event(item: CalendarEvent, stamp: datetime) -> Event:
    ev = Event()
    ev.add("uid", item.uid)
    ev.add("dtstamp", _utc(stamp))
    ev.add("dtstart", _local(item.start, item.tz))
    ev.add("dtend", _local(item.end, item.tz))
    ev.add("summary", clean_text(item.summary))
    ev.add("sequence", item.sequence)
    ev.add("status", item.status)
    if item.created is not None:
        ev.add("created", _utc(item.created))
    if item.last_modified is not None:
        ev.add("last-modified", _utc(item.last_modified))
    if item.description:
        ev.add("description", clean_text(item.description))
    if item.location:
        ev.add("location", clean_text(item.location))
    if item.url:
        ev.add("url", vUri(clean_text(item.url)))
    if item.conference:
        ev.add(
            "conference",
            vUri(clean_text(item.conference)),
            parameters={"VALUE": "URI", "FEATURE": "AUDIO,VIDEO"},
        )
    if item.categories:
        ev.add("categories", [clean_text(c.replace(",", " ")) for c in item.categories])
    if item.transparent:
        ev.add("transp", "TRANSPARENT")
    if item.organizer is not None:
        ev["organizer"] = _address(item.organizer)
    for attendee in item.attendees:
        ev.add(
            "attendee",
            _address(attendee, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE"),
        )
    return ev


def _escape(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11), as icalendar's vText does, after clean_text."""
    value = clean_text(value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(value: datetime) -> str:
    return _utc(value).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: datetime, tz: str) -> str:
    if is_utc(tz):
        return f"{name}:{_stamp(value)}"
    return f"{name};TZID={tz}:{_local(value, tz).strftime('%Y%m%dT%H%M%S')}"


def fold(line: bytes) -> bytes:
    """RFC 5545 folding: at most 75 octets a line, never inside a UTF-8 character, and
    (like icalendar, for older clients) never between a backslash and what it escapes."""
    if len(line) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75
    while len(line) - start > limit:
        cut = start + limit
        while (line[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte: back off
            cut -= 1
        backslashes = cut
        while backslashes > start and line[backslashes - 1] == 0x5C:
            backslashes -= 1
        if (cut - backslashes) % 2:  # the last backslash starts an escape
            cut -= 1
        parts.append(line[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def _feed_event_lines(item: CalendarEvent, stamp: datetime) -> list[str]:
    """The content lines of one VEVENT without ORGANIZER/ATTENDEE, unfolded."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_escape(item.uid)}",
        f"DTSTAMP:{_stamp(stamp)}",
        _when("DTSTART", item.start, item.tz),
        _when("DTEND", item.end, item.tz),
        f"SUMMARY:{_escape(item.summary)}",
        f"SEQUENCE:{int(item.sequence)}",
        f"STATUS:{_escape(item.status)}",
    ]
    if item.created is not None:
        lines.append(f"CREATED:{_stamp(item.created)}")
    if item.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_stamp(item.last_modified)}")
    if item.description:
        lines.append(f"DESCRIPTION:{_escape(item.description)}")
    if item.location:
        lines.append(f"LOCATION:{_escape(item.location)}")
    if item.url:
        lines.append(f"URL:{clean_text(item.url)}")  # URI values are not escaped
    if item.conference:
        lines.append(f"CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO:{clean_text(item.conference)}")
    if item.categories:
        names = (_escape(c.replace(",", " ")) for c in item.categories)
        lines.append(f"CATEGORIES:{','.join(names)}")
    if item.transparent:
        lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT")
    return lines


@functools.lru_cache(maxsize=EVENT_CACHE_SIZE)
def _feed_event_bytes(item: CalendarEvent, stamp: datetime) -> bytes:
    if item.organizer is not None or item.attendees:
        return _event(item, stamp).to_ical()
    lines = _feed_event_lines(item, stamp)
    return b"\r\n".join(fold(line.encode()) for line in lines) + b"\r\n"


def _zone_ranges(events: list[CalendarEvent]) -> dict[str, tuple[datetime, datetime]]:
    ranges: dict[str, tuple[datetime, datetime]] = {}
    for item in events:
        if is_utc(item.tz):
            continue
        lo, hi = ranges.get(item.tz, (item.start, item.end))
        ranges[item.tz] = (min(lo, item.start), max(hi, item.end))
    return ranges


def build_calendar(
    events: Iterable[CalendarEvent],
    *,
    stamp: datetime,
    method: str | None = None,
    name: str | None = None,
    timezone: str | None = None,
    refresh: timedelta | None = None,
    description: str | None = None,
    url: str | None = None,
    source: str | None = None,
) -> bytes:
    """Assemble a VCALENDAR with one VTIMEZONE per zone used; returns the bytes to send.

    ``method`` is REQUEST or CANCEL for e-mail invitations (iTIP): then ``stamp`` is
    every event's DTSTAMP, the time the message was made. Without a method (feeds),
    RFC 5545 makes DTSTAMP the time the event last changed, so each event's
    ``last_modified`` is used and ``stamp`` only where that is missing: unchanged
    feeds are then byte-for-byte identical, and ETags mean something.

    ``name``/``description`` become NAME and X-WR-CALNAME (RFC 7986 and the older
    de-facto property); ``url`` is the page behind the calendar and ``source`` the
    feed's own address; ``refresh`` how often clients should fetch it again.
    """
    events = list(events)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("name", clean_text(name))
        cal.add("x-wr-calname", clean_text(name))
    if description:
        cal.add("description", clean_text(description))
        cal.add("x-wr-caldesc", clean_text(description))
    if timezone:
        cal.add("x-wr-timezone", timezone)
    if url:
        cal.add("url", vUri(url))
    if source:
        cal.add("source", vUri(source))
    if refresh is not None:
        # icalendar writes a timedelta as "1:00:00" unless it is typed as a duration.
        cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))
    head = cal.to_ical()
    assert head.endswith(_CALENDAR_END)
    parts = [head[: -len(_CALENDAR_END)]]
    zones = _zone_ranges(events)
    if not events and timezone and not is_utc(timezone):
        # RFC 5545 wants at least one component: an empty feed carries its zone.
        zones[timezone] = (stamp, stamp)
    for tzid, (first, last) in sorted(zones.items()):
        parts.append(vtimezone(tzid, first, last))
    for item in events:
        if method:
            parts.append(_event(item, stamp).to_ical())
        else:
            parts.append(_feed_event_bytes(item, item.last_modified or stamp))
    parts.append(_CALENDAR_END)
    return b"".join(parts)
