"""The bytes build_calendar emits: what Google, Outlook, Apple and Thunderbird receive."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.calendars import CalendarEvent, Person, build_calendar, ical
from tests.feeds.helpers import ics_lines, parse_ics, unfolded

STAMP = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)
CHANGED = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)


def event(**kw) -> CalendarEvent:
    kw.setdefault("uid", "shift-1@library.test")
    kw.setdefault("start", datetime(2027, 2, 1, 7, 0, tzinfo=UTC))
    kw.setdefault("end", datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    kw.setdefault("summary", "Information desk, ground floor — with Ola")
    kw.setdefault("last_modified", CHANGED)
    return CalendarEvent(**kw)


def feed(*events: CalendarEvent, **kw) -> bytes:
    kw.setdefault("stamp", STAMP)
    kw.setdefault("name", "Desk shifts – Kari")
    kw.setdefault("timezone", "Europe/Oslo")
    kw.setdefault("refresh", timedelta(hours=1))
    return build_calendar(list(events), **kw)


def test_long_unicode_text_is_folded_at_75_octets_and_reads_back_unchanged() -> None:
    summary = "Skranke, 1. etasje — med Åse, Øyvind, Ærlend og Håkon " * 4
    description = "Første linje; med komma, semikolon og \\ skråstrek\nAndre linje 🙂 " * 5
    body = feed(event(summary=summary, description=description, location="Sal 1, «Vrimle»"))
    lines = ics_lines(body)  # CRLF only, <= 75 octets each, no split UTF-8 sequence
    assert any(line.startswith(b" ") for line in lines), "long lines must be folded"
    ev = parse_ics(body).walk("VEVENT")[0]
    assert str(ev["SUMMARY"]) == summary
    assert str(ev["DESCRIPTION"]) == description
    assert str(ev["LOCATION"]) == "Sal 1, «Vrimle»"


def test_text_escaping_on_the_wire() -> None:
    body = feed(event(summary="A, B; C \\ D", description="one\ntwo"))
    logical = unfolded(body)
    assert "SUMMARY:A\\, B\\; C \\\\ D" in logical
    assert "DESCRIPTION:one\\ntwo" in logical


def test_carriage_returns_and_control_characters_cannot_break_a_line() -> None:
    # Text typed into a form arrives with CRLF; a stray CR or NUL would end the line.
    body = feed(event(summary="Desk\x00 shift\x07", description="a\r\nb\rc\x1bd\te"))
    ics_lines(body)
    ev = parse_ics(body).walk("VEVENT")[0]
    assert str(ev["SUMMARY"]) == "Desk shift"
    assert str(ev["DESCRIPTION"]) == "a\nb\ncd\te"


def test_calendar_properties_refresh_as_durations_and_names() -> None:
    body = feed(event(), refresh=timedelta(hours=1), url="https://library.test/staff/")
    logical = unfolded(body)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in logical
    assert "X-PUBLISHED-TTL:PT1H" in logical
    assert "X-WR-CALNAME:Desk shifts – Kari" in logical
    assert "NAME:Desk shifts – Kari" in logical
    assert "X-WR-TIMEZONE:Europe/Oslo" in logical
    assert "URL:https://library.test/staff/" in logical
    assert "METHOD" not in body.decode()  # a feed, not an iTIP message
    assert not any(":1:00:00" in line for line in logical)


def test_feed_dtstamp_is_the_last_change_so_unchanged_feeds_are_byte_identical() -> None:
    first = feed(event(), stamp=STAMP)
    later = feed(event(), stamp=STAMP + timedelta(hours=5))
    assert first == later
    ev = parse_ics(first).walk("VEVENT")[0]
    assert ev.decoded("DTSTAMP") == CHANGED
    assert ev.decoded("LAST-MODIFIED") == CHANGED


def test_invitations_stamp_the_message_time() -> None:
    organizer = Person("Kari Bibliotekar", "kari@uni.example")
    body = build_calendar(
        [event(organizer=organizer, attendees=(Person("Pat", "pat@student.example"),))],
        stamp=STAMP,
        method="REQUEST",
    )
    cal = parse_ics(body)
    assert str(cal["METHOD"]) == "REQUEST"
    ev = cal.walk("VEVENT")[0]
    assert ev.decoded("DTSTAMP") == STAMP
    assert "mailto:kari@uni.example" in str(ev["ORGANIZER"])


def test_one_compact_vtimezone_with_yearly_rules() -> None:
    body = feed(event(), event(uid="shift-2@library.test"))
    text = body.decode()
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert "2038" not in text
    logical = unfolded(body)
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in logical
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in logical
    vtimezone = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert len(vtimezone.encode()) < 500  # icalendar's default is about 3 KB
    assert "DTSTART;TZID=Europe/Oslo:20270201T080000" in logical


def test_each_zone_used_gets_its_own_vtimezone_and_utc_needs_none() -> None:
    body = feed(
        event(tz="Europe/Oslo"),
        event(uid="x-2@library.test", tz="America/New_York"),
        event(uid="x-3@library.test", tz="UTC"),
    )
    cal = parse_ics(body)
    assert sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")) == [
        "America/New_York",
        "Europe/Oslo",
    ]
    logical = unfolded(body)
    assert "DTSTART:20270201T070000Z" in logical
    assert "DTSTART;TZID=America/New_York:20270201T020000" in logical


def test_status_sequence_transparency_and_categories() -> None:
    body = feed(
        event(status="CANCELLED", sequence=3),
        event(uid="session-9@library.test", transparent=True, categories=("Zotero, EndNote",)),
    )
    events = {str(ev["UID"]): ev for ev in parse_ics(body).walk("VEVENT")}
    assert str(events["shift-1@library.test"]["STATUS"]) == "CANCELLED"
    assert events["shift-1@library.test"].decoded("SEQUENCE") == 3
    assert str(events["session-9@library.test"]["TRANSP"]) == "TRANSPARENT"
    assert "TRANSP" not in events["shift-1@library.test"]


def test_a_changed_event_is_not_served_from_memory() -> None:
    before = feed(event(summary="Desk — with Ola"))
    after = feed(event(summary="Desk — with Kari"))
    assert b"with Ola" in before
    assert b"with Kari" in after
    assert b"with Ola" not in after


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        event(start=datetime(2027, 2, 1, 8, 0))


def _random_events(count: int) -> list[CalendarEvent]:
    rng = random.Random(20270301)
    alphabet = "abc XYZ,;:\\\n\"'æøåÆØÅ—–…🙂漢字\t" + "\\" * 3
    zones = ["Europe/Oslo", "America/New_York", "UTC", "Asia/Kolkata"]

    def words(low: int, high: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))

    events = []
    for i in range(count):
        start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600_000))
        events.append(
            CalendarEvent(
                uid=f"shift-{i}@library.test",
                start=start,
                end=start + timedelta(minutes=rng.randint(15, 600)),
                summary=words(1, 120),
                tz=rng.choice(zones),
                description=rng.choice([None, words(0, 400)]),
                location=rng.choice([None, words(1, 90)]),
                url=rng.choice([None, f"https://library.test/staff/calendar/shifts/{i}?a=1&b=ø"]),
                sequence=rng.randint(0, 5),
                status=rng.choice(["CONFIRMED", "TENTATIVE", "CANCELLED"]),
                last_modified=rng.choice([None, CHANGED]),
                created=rng.choice([None, CHANGED - timedelta(days=3)]),
                categories=rng.choice([(), (words(1, 20),), (words(1, 10), words(1, 10))]),
                transparent=rng.random() < 0.5,
            )
        )
    return events


def test_feed_events_have_exactly_the_lines_icalendar_itself_writes() -> None:
    """Feeds join icalendar-encoded values into lines themselves, for speed; the logical
    content must be exactly what icalendar's own serialiser produces."""
    for item in _random_events(400):
        ours = ical._feed_event_bytes(item, STAMP)
        theirs = ical._event(item, STAMP).to_ical()
        ics_lines(b"BEGIN:VCALENDAR\r\n" + ours)
        assert sorted(unfolded(ours)) == sorted(unfolded(theirs)), item


def test_folding_never_ends_a_line_inside_an_escape() -> None:
    for n in range(60, 90):
        line = "DESCRIPTION:" + "x" * n + "\\\\" + "\\," + "y" * 80
        folded = ical.fold(line.encode()).decode()
        assert folded.replace("\r\n ", "") == line
        for part in folded.split("\r\n "):
            assert len(part.encode()) <= 75
            trailing = len(part) - len(part.rstrip("\\"))
            assert trailing % 2 == 0, part


def test_librarian_invitations_keep_the_organizer_feeds_do_not(app, db, create_person):
    """iTIP REQUEST needs ORGANIZER (booking e-mails); one's own feed must not have it."""
    from scheduler.calendars import appointment_event
    from scheduler.models import Appointment, Mode

    kari = create_person(name="Kari", email="kari@uni.example")
    appt = Appointment(
        id=7,
        librarian=kari,
        mode=Mode.ONLINE,
        starts_at=datetime(2027, 2, 1, 9, tzinfo=UTC),
        ends_at=datetime(2027, 2, 1, 10, tzinfo=UTC),
        sequence=2,
        patron_name="Pat",
        patron_email="pat@student.example",
    )
    for_patron = appointment_event(appt, host="library.test", for_patron=True)
    for_librarian = appointment_event(appt, host="library.test")
    for item in (for_patron, for_librarian):
        body = build_calendar([item], stamp=STAMP, method="REQUEST")
        assert "mailto:kari@uni.example" in str(parse_ics(body).walk("VEVENT")[0]["ORGANIZER"])
    assert b"ATTENDEE" in build_calendar([for_patron], stamp=STAMP, method="REQUEST")
    assert b"ATTENDEE" not in build_calendar([for_librarian], stamp=STAMP, method="REQUEST")


def test_an_empty_feed_still_has_a_component() -> None:
    """RFC 5545: a VCALENDAR holds at least one component; strict clients reject none."""
    cal = parse_ics(feed())
    assert cal.walk("VEVENT") == []
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Oslo"]
