"""Free slots from the database: every commitment that blocks booking, and the filters."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.errors import InputError
from scheduler.models import (
    Absence,
    AvailabilityException,
    ClosedDate,
    DropInSession,
    ExceptionKind,
    Mode,
    PublishedShift,
    PublishedShiftStatus,
    SessionStatus,
)
from tests.booking.appointments.helpers import NOW, OSLO, TODAY, TUESDAY, at, site_at


def find(db, topic=None, first=TUESDAY, last=TUESDAY, now=NOW, **kw):
    query = SlotQuery(first, last, topic_id=topic.id if topic else None, **kw)
    return find_slots(db.session, query, now=now, default_tz="Europe/Oslo")


def times(slots) -> list[str]:
    return [s.start.astimezone(OSLO).strftime("%H:%M") for s in slots]


def test_a_topic_shows_every_librarian_who_covers_it(
    db, topic, create_librarian, create_topic
) -> None:
    a = create_librarian(windows=[(1, time(9), time(10))])
    b = create_librarian(windows=[(1, time(9, 30), time(10, 15))])
    create_librarian(topics=[create_topic()], windows=[(1, time(9), time(12))])
    slots = find(db, topic)
    assert [(s.librarian_id, t) for s, t in zip(slots, times(slots), strict=True)] == [
        (a.id, "09:00"),
        (b.id, "09:30"),
    ]


def test_people_who_are_not_bookable_or_inactive_are_not_offered(
    db, topic, create_librarian
) -> None:
    hidden = create_librarian()
    hidden.bookable = False
    gone = create_librarian()
    gone.active = False
    assert find(db, topic) == []


def test_published_desk_shift_blocks_booking(
    db, librarian, topic, create_service_point, library
) -> None:
    point = create_service_point(library=library)
    db.session.add_all(
        [
            PublishedShift(
                person_id=librarian.id,
                service_point_id=point.id,
                starts_at=at(TUESDAY, 10),
                ends_at=at(TUESDAY, 12),
            ),
            # A cancelled shift does not count.
            PublishedShift(
                person_id=librarian.id,
                service_point_id=point.id,
                starts_at=at(TUESDAY, 9),
                ends_at=at(TUESDAY, 10),
                status=PublishedShiftStatus.CANCELLED,
            ),
        ]
    )
    assert times(find(db, topic)) == ["09:00"]


def test_drop_in_sessions_the_librarian_hosts_block_booking(db, librarian, topic, library) -> None:
    hosted = DropInSession(
        title="Zotero drop-in",
        library_id=library.id,
        starts_at=at(TUESDAY, 9, 30),
        ends_at=at(TUESDAY, 10, 30),
        hosts=[librarian],
    )
    cancelled = DropInSession(
        title="Cancelled",
        library_id=library.id,
        starts_at=at(TUESDAY, 11),
        ends_at=at(TUESDAY, 12),
        hosts=[librarian],
        status=SessionStatus.CANCELLED,
    )
    db.session.add_all([hosted, cancelled])
    # 09:00-09:45 meets the session; 10:30 and 11:15 are free (the cancelled one is gone).
    assert times(find(db, topic)) == ["10:30", "11:15"]


def test_absence_and_library_closed_date_block_booking(db, librarian, topic, library) -> None:
    wednesday = TUESDAY + timedelta(days=1)
    db.session.add(
        Absence(person_id=librarian.id, starts_at=at(TUESDAY, 0), ends_at=at(wednesday, 0))
    )
    db.session.add(ClosedDate(library_id=library.id, date=wednesday, reason="Holiday"))
    thursday = wednesday + timedelta(days=1)
    slots = find(db, topic, TUESDAY, thursday)
    assert {s.start.astimezone(OSLO).date() for s in slots} == {thursday}


def test_exceptions_from_the_database(db, librarian, topic, library) -> None:
    saturday = date(2027, 1, 9)
    db.session.add_all(
        [
            AvailabilityException(person_id=librarian.id, date=TUESDAY, kind=ExceptionKind.BLOCKED),
            AvailabilityException(
                person_id=librarian.id,
                date=saturday,
                kind=ExceptionKind.EXTRA,
                library_id=library.id,
                start_time=time(12),
                end_time=time(13),
                modes="online",
            ),
        ]
    )
    slots = find(db, topic, TUESDAY, saturday + timedelta(days=1))
    assert TUESDAY not in {s.start.astimezone(OSLO).date() for s in slots}
    saturday_slots = [s for s in slots if s.start.astimezone(OSLO).date() == saturday]
    assert times(saturday_slots) == ["12:00"]
    assert saturday_slots[0].modes == (Mode.ONLINE,)


def test_booked_time_and_buffer_disappear_from_the_slots(
    db, site, topic, create_librarian, request_for
) -> None:
    librarian = create_librarian(buffer_minutes=15)
    assert times(find(db, topic)) == ["09:00", "10:00", "11:00"]
    svc.book(db.session, request_for(librarian, at(TUESDAY, 10)), site=site)
    assert times(find(db, topic)) == ["09:00", "11:00"]


def test_a_pending_booking_blocks_only_while_held(
    db, site, topic, librarian, request_for, create_topic_group
) -> None:
    topic.group = create_topic_group(allowed_email_domains="uni.example")
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    assert "09:00" not in times(find(db, topic))
    later = NOW + timedelta(minutes=31)
    assert "09:00" in times(find(db, topic, now=later))
    # ... and booking it then succeeds.
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site_at(later))


def test_library_and_mode_filters(db, topic, create_librarian, create_library) -> None:
    other_library = create_library()
    online = create_librarian(modes="online", windows=[(1, time(9), time(10))])
    there = create_librarian(at_library=other_library, windows=[(1, time(10), time(11))])
    assert {s.librarian_id for s in find(db, topic, mode=Mode.ONLINE)} == {online.id, there.id}
    assert {s.librarian_id for s in find(db, topic, mode=Mode.PHONE)} == set()
    assert {s.librarian_id for s in find(db, topic, library_id=other_library.id)} == {there.id}
    assert {s.librarian_id for s in find(db, librarian_id=online.id)} == {online.id}


def test_range_is_at_most_62_days(db, topic) -> None:
    find(db, topic, TODAY, TODAY + timedelta(days=62))
    with pytest.raises(InputError) as err:
        find(db, topic, TODAY, TODAY + timedelta(days=63))
    assert err.value.fields == {"to": "is more than 62 days after from"}
    with pytest.raises(InputError):
        find(db, topic, TUESDAY, TODAY)


def test_slots_keep_wall_time_across_the_dst_weekends(db, topic, create_librarian) -> None:
    create_librarian(windows=[(0, time(9), time(10))], min_notice_minutes=0)
    for monday_before in (date(2027, 3, 22), date(2027, 10, 25)):
        now = at(monday_before, 0)
        slots = find(db, topic, monday_before, monday_before + timedelta(days=7), now=now)
        assert times(slots) == ["09:00", "09:00"]
        assert slots[1].start - slots[0].start != timedelta(days=7)  # an hour more or less
