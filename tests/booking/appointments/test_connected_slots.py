# ruff: noqa: F811  (fixtures imported from tests.calendar_sources)
"""Free slots subtract the busy times of a librarian's own calendar: recurring meetings
with exceptions across the spring DST weekend of 2027, free and cancelled events,
our own invitation coming back, failures, and bookings racing a sync."""

from __future__ import annotations

import random
import threading
import time as clock
from dataclasses import replace
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.calendars.sources.busy_query import BusyPolicy
from scheduler.calendars.sources.manage import SourceInput, add_source
from scheduler.calendars.sources.secretbox import SecretBox
from scheduler.calendars.sources.sync import SyncOptions, load_plan, read_source, record_outcome
from scheduler.errors import Conflict, InputError
from scheduler.extensions import db as _db
from scheduler.models import CalendarSource
from tests.booking.appointments.helpers import OSLO, at, site_at
from tests.calendar_sources.conftest import (  # noqa: F401  (fixtures)
    Route,
    feed_server,
    loopback_limits,
)
from tests.calendar_sources.feeds import EXCHANGE_VTIMEZONE, exchange_uid

MONDAY = date(2027, 3, 22)  # the week before the change to summer time (Sunday 28 March)
NOW = at(MONDAY, 8)
WZ = "W. Europe Standard Time"
BOX = SecretBox([Fernet.generate_key().decode()])


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def outlook(*events: str) -> bytes:
    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "METHOD:PUBLISH",
            "PRODID:Microsoft Exchange Server 2010",
            "VERSION:2.0",
            EXCHANGE_VTIMEZONE.format(tzid=WZ).replace("\n", "\r\n"),
            *events,
            "END:VCALENDAR",
        ]
    )
    return (body + "\r\n").encode()


def vevent(uid: str, start: str, end: str, *extra: str, status: str = "BUSY") -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20270301T090000Z",
        f"DTSTART;TZID={WZ}:{start}",
        f"DTEND;TZID={WZ}:{end}",
        *extra,
        "SUMMARY:Something private",
        f"X-MICROSOFT-CDO-BUSYSTATUS:{status}",
        "END:VEVENT",
    ]
    return "\r\n".join(lines)


def meetings(*more: str) -> bytes:
    """Tuesdays 10:00-11:00 without end, not on 23 March, on 30 March moved to 09:00-09:30;
    a tentative Thursday; a cancelled and a "free" Wednesday event."""
    return outlook(
        vevent(
            "series-1",
            "20270302T100000",
            "20270302T110000",
            "RRULE:FREQ=WEEKLY;BYDAY=TU",
            f"EXDATE;TZID={WZ}:20270323T100000",
        ),
        vevent(
            "series-1",
            "20270330T090000",
            "20270330T093000",
            f"RECURRENCE-ID;TZID={WZ}:20270330T100000",
        ),
        vevent("maybe-1", "20270325T090000", "20270325T100000", status="TENTATIVE"),
        vevent("gone-1", "20270324T100000", "20270324T110000", "STATUS:CANCELLED"),
        vevent("note-1", "20270324T110000", "20270324T120000", "TRANSP:TRANSPARENT", status="FREE"),
        *more,
    )


@pytest.fixture
def app_config(app_config: dict) -> dict:
    # The race below keeps SQLite's only write lock busy; its waits are not fair, so give
    # the other thread time on a loaded machine.
    return app_config | {"SQLITE_BUSY_TIMEOUT": 60}


@pytest.fixture
def kari(db, create_librarian):
    """Weekdays 09:00-12:00, 45-minute appointments and a 15-minute break: slots at 09,
    10 and 11 o'clock."""
    person = create_librarian(name="Kari", buffer_minutes=15)
    person.email = "kari@uni.example"
    db.session.commit()
    return person


@pytest.fixture
def options(loopback_limits) -> SyncOptions:
    return SyncOptions(limits=loopback_limits, own_uid_host="library.test")


@pytest.fixture
def connected(db, kari, feed_server, options):
    """Kari's Outlook calendar, connected; ``sync()`` reads it as the job would."""
    feed_server.routes["/kari.ics"] = Route(body=meetings())
    source = add_source(
        db.session,
        kari,
        kari,
        SourceInput("ics", "Outlook", feed_server.url("/kari.ics")),
        box=BOX,
    )
    db.session.commit()

    def sync(now=NOW):
        plan = load_plan(db.session, source.id, box=BOX, now=now, default_tz="Europe/Oslo")
        db.session.commit()
        outcome = read_source(plan, options, now=now)
        record_outcome(db.session, outcome, now=now)
        db.session.commit()
        return outcome

    sync.source_id = source.id
    return sync


def slot_hours(db, person, first: date, last: date, ctx=None) -> dict[date, list[int]]:
    ctx = ctx or site_at(NOW)
    found = find_slots(
        db.session,
        SlotQuery(first, last, librarian_id=person.id),
        now=ctx.now,
        default_tz=ctx.default_tz,
        busy_policy=ctx.busy_policy,
    )
    out: dict[date, list[int]] = {}
    for slot in found:
        local = slot.start.astimezone(OSLO)
        out.setdefault(local.date(), []).append(local.hour)
    return out


def test_meetings_with_exceptions_block_exactly_their_slots_across_dst(db, kari, connected) -> None:
    assert slot_hours(db, kari, day(1), day(15))[day(15)] == [9, 10, 11]  # before the sync
    assert connected().ok
    assert slot_hours(db, kari, day(1), day(15)) == {
        day(1): [9, 10, 11],  # Tuesday 23 March: the meeting is excluded (EXDATE)
        day(2): [9, 10, 11],  # Wednesday: the cancelled and the "free" event block nothing
        day(3): [11],  # Thursday: tentative 09:00-10:00 (and the break) blocks 09 and 10
        day(4): [9, 10, 11],
        day(7): [9, 10, 11],
        day(8): [10, 11],  # Tuesday 30 March, summer time: moved to 09:00-09:30
        day(9): [9, 10, 11],
        day(10): [9, 10, 11],
        day(11): [9, 10, 11],
        day(14): [9, 10, 11],
        # Tuesday 6 April: 10:00-11:00 summer time, plus the 15-minute break, blocks 10
        # and 11 o'clock (an hour off either way if the change were mishandled).
        day(15): [9],
    }


def test_tentative_times_are_free_when_the_setting_says_so(db, kari, connected) -> None:
    connected()
    ctx = replace(site_at(NOW), busy_policy=BusyPolicy(tentative_blocks=False))
    assert slot_hours(db, kari, day(3), day(3), ctx) == {day(3): [9, 10, 11]}
    assert slot_hours(db, kari, day(3), day(3)) == {day(3): [11]}


def test_a_booking_inside_a_busy_time_is_refused(db, kari, connected, request_for) -> None:
    connected()
    with pytest.raises(Conflict):  # the time is taken, as far as the patron can tell
        svc.book(db.session, request_for(kari, at(day(15), 10)), site=site_at(NOW))
    db.session.rollback()
    booked = svc.book(db.session, request_for(kari, at(day(15), 9)), site=site_at(NOW))
    db.session.commit()
    assert booked.appointment.starts_at == at(day(15), 9)
    with pytest.raises(InputError):  # never a slot: not at a slot start
        svc.book(db.session, request_for(kari, at(day(15), 9, 30)), site=site_at(NOW))


def test_our_own_invitation_in_the_calendar_is_not_counted_twice(
    db, kari, connected, feed_server, request_for
) -> None:
    ctx = site_at(NOW)
    booked = svc.book(db.session, request_for(kari, at(day(9), 10)), site=ctx)
    db.session.commit()
    uid = f"appointment-{booked.appointment.id}@library.test"
    # Kari accepted the invitation; Exchange publishes it under its GlobalObjectId.
    feed_server.routes["/kari.ics"] = Route(
        body=meetings(vevent(exchange_uid(uid), "20270331T100000", "20270331T104500"))
    )
    outcome = connected()
    assert outcome.expansion.skipped_own == 1
    assert slot_hours(db, kari, day(9), day(9)) == {day(9): [9, 11]}
    svc.cancel_by_patron(db.session, booked.manage_token, site=ctx)
    db.session.commit()
    # Cancelled: the time is free again at once, although the calendar still shows it.
    assert slot_hours(db, kari, day(9), day(9)) == {day(9): [9, 10, 11]}


def test_an_unreachable_calendar_keeps_its_last_busy_times(
    db, kari, connected, feed_server
) -> None:
    connected()
    before = slot_hours(db, kari, day(1), day(15))
    feed_server.routes["/kari.ics"] = Route(status=503, body=b"Service Unavailable")
    later = NOW + timedelta(hours=3)
    outcome = connected(later)
    assert outcome.problem.code == "http"
    assert slot_hours(db, kari, day(1), day(15)) == before
    # With the policy "stop", a source failing for more than two hours withholds slots.
    before = slot_hours(db, kari, day(1), day(15), site_at(later))
    assert before[day(15)] == [9]
    stop = replace(
        site_at(later),
        busy_policy=BusyPolicy(stop_when_failing=True, failing_after=timedelta(hours=2)),
    )
    assert slot_hours(db, kari, day(1), day(15), stop) == before  # failing for 0 hours
    source = db.session.get(CalendarSource, connected.source_id)
    source.failing_since = later - timedelta(hours=2, minutes=1)
    db.session.commit()
    assert slot_hours(db, kari, day(1), day(15), stop) == {}
    assert slot_hours(db, kari, day(1), day(15), site_at(later)) == before


def test_bookings_racing_a_sync_never_land_in_a_known_busy_time(
    app, db, kari, feed_server, options, request_for
) -> None:
    """A sync thread makes one more slot busy each round (each read replaces the whole
    set: the earlier busy times are in every set). A booking thread keeps trying every
    slot. No booking may land in a slot whose busy time was committed before the
    booking's transaction began - not even while a later read replaces the rows."""
    starts = [at(day(d), h) for d in (22, 23) for h in (9, 10, 11)]
    rounds = len(starts)

    def feed(count: int) -> bytes:
        return outlook(
            *(
                vevent(
                    f"m-{i}",
                    s.astimezone(OSLO).strftime("%Y%m%dT%H%M%S"),
                    (s + timedelta(minutes=30)).astimezone(OSLO).strftime("%Y%m%dT%H%M%S"),
                )
                for i, s in enumerate(starts[:count])
            )
        )

    feed_server.routes["/race.ics"] = Route(body=feed(0))
    source = add_source(
        db.session, kari, kari, SourceInput("ics", "Outlook", feed_server.url("/race.ics")), box=BOX
    )
    db.session.commit()
    source_id = source.id
    busy_since: dict[int, float] = {}  # slot index -> when its busy time was committed
    booked: list[tuple[int, float]] = []  # slot index, when the booking's attempt began
    done = threading.Event()
    errors: list[BaseException] = []

    def syncing() -> None:
        try:
            with app.app_context():
                session = _db.session
                for n in range(1, rounds + 1):
                    feed_server.routes["/race.ics"] = Route(body=feed(n))
                    plan = load_plan(session, source_id, box=BOX, now=NOW, default_tz="Europe/Oslo")
                    session.commit()
                    outcome = read_source(plan, options, now=NOW)
                    assert outcome.ok, outcome.problem
                    record_outcome(session, outcome, now=NOW)
                    session.commit()
                    busy_since[n - 1] = clock.monotonic()
                    clock.sleep(0.02)
                _db.session.remove()
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def booking() -> None:
        rng = random.Random(1)
        try:
            with app.app_context():
                session = _db.session
                while not done.is_set():
                    index = rng.randrange(rounds)
                    began = clock.monotonic()
                    try:
                        svc.book(session, request_for(kari, starts[index]), site=site_at(NOW))
                        session.commit()
                        booked.append((index, began))
                        # Free it again, so that it can be tried once more.
                        session.execute(text("UPDATE appointments SET status = 'cancelled'"))
                        session.commit()
                    except (Conflict, InputError):
                        session.rollback()
                    clock.sleep(0.002)  # let the sync thread take the write lock too
                _db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=syncing), threading.Thread(target=booking)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(busy_since) == rounds
    assert booked, "the booking thread never got a slot: the race did not happen"
    late = [(i, began - busy_since[i]) for i, began in booked if began > busy_since[i]]
    assert late == []
