"""One set of closed dates: a day an administrator closes has no booking slots, takes no
drop-in session and gives the roster no demand."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler.administration.closed_dates import add_closed_dates
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.booking.dropins.details import SessionDetails
from scheduler.booking.dropins.recurrence import Recurrence, Repeat
from scheduler.booking.dropins.sessions import create_sessions
from scheduler.errors import InputError
from scheduler.models import (
    AvailabilityRule,
    BookingSettings,
    DemandRule,
    DropInSession,
    Role,
)
from scheduler.rostering.demand import expand_demand
from scheduler.timeutil import local_to_utc

MONDAY = date(2027, 1, 4)
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in (1, 2, 3))
NOW = local_to_utc(MONDAY - timedelta(days=3), time(8), "Europe/Oslo")


@pytest.fixture
def library(create_library):
    return create_library(name="Main Library")


@pytest.fixture
def closed_wednesday(db, create_person, library):
    add_closed_dates(db.session, create_person(Role.ADMIN), library, WEDNESDAY, reason="Holiday")


def test_no_booking_slots_on_a_closed_date(
    db, create_person, create_topic, library, closed_wednesday
) -> None:
    topic = create_topic()
    ada = create_person(Role.LIBRARIAN, bookable=True, topics=[topic], libraries=[library])
    db.session.add(BookingSettings(person_id=ada.id, slot_minutes=60, min_notice_minutes=0))
    for weekday in range(5):
        db.session.add(
            AvailabilityRule(
                person_id=ada.id,
                library_id=library.id,
                weekday=weekday,
                start_time=time(9),
                end_time=time(11),
            )
        )
    db.session.flush()
    slots = find_slots(
        db.session,
        SlotQuery(TUESDAY, THURSDAY, topic_id=topic.id),
        now=NOW,
        default_tz="Europe/Oslo",
    )
    days = sorted({s.start.astimezone(ZoneInfo(library.timezone)).date() for s in slots})
    assert days == [TUESDAY, THURSDAY]


def test_a_drop_in_on_a_closed_date_is_refused(
    db, create_person, library, closed_wednesday
) -> None:
    host = create_person(Role.LIBRARIAN, libraries=[library])
    details = SessionDetails(
        title="Zotero drop-in",
        library_id=library.id,
        start_time=time(10),
        end_time=time(11),
        host_ids=(host.id,),
    )
    with pytest.raises(InputError) as caught:
        create_sessions(db.session, host, details, Recurrence(Repeat.ONCE, WEDNESDAY), now=NOW)
    assert "date" in caught.value.fields
    assert "closed" in caught.value.fields["date"]
    assert db.session.scalars(select(DropInSession)).all() == []


def test_no_roster_demand_on_a_closed_date(
    db, create_service_point, library, closed_wednesday
) -> None:
    point = create_service_point(library=library)
    rule = DemandRule(service_point=point, weekdays="01234", start_time=time(9), end_time=time(13))
    db.session.add(rule)
    db.session.flush()
    specs = expand_demand([rule], library, MONDAY, 1)
    assert sorted({s.local_start.date() for s in specs}) == [
        MONDAY,
        TUESDAY,
        THURSDAY,
        MONDAY + timedelta(days=4),
    ]
