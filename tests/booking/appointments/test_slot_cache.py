"""The free-slot cache: used between writes, and exact after every write that changes
when a librarian can be booked (each checked against a search without the cache)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from sqlalchemy import insert

from scheduler import create_app
from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import slot_cache
from scheduler.booking.appointments.purge import release_expired_holds
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.extensions import db as _db
from scheduler.models import (
    Absence,
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    ClosedDate,
    DropInSession,
    ExceptionKind,
    Mode,
    PublishedShift,
    PublishedShiftStatus,
    SessionStatus,
)
from tests.booking.appointments.helpers import NOW, TUESDAY, at, site_at

WEEK_END = TUESDAY + timedelta(days=6)


def search(db, topic, now=NOW) -> list:
    query = SlotQuery(TUESDAY, WEEK_END, topic_id=topic.id)
    return find_slots(db.session, query, now=now, default_tz="Europe/Oslo")


def uncached(db, topic, monkeypatch, now=NOW) -> list:
    with monkeypatch.context() as patched:
        patched.setattr(slot_cache, "for_session", lambda _session: None)
        return search(db, topic, now)


@pytest.fixture
def cache(db):
    found = slot_cache.for_session(db.session)
    assert found is not None, "the cache is on by default"
    return found


@pytest.fixture
def check(db, topic, cache, monkeypatch) -> Callable:
    """``check(write, changes=True)``: search (warm), write and commit, search again; the
    answer must equal a search without the cache, and differ when ``changes``."""

    def _check(write: Callable[[], object], *, changes: bool = True, now=NOW) -> list:
        before = search(db, topic, now)
        write()
        db.session.commit()
        after = search(db, topic, now)
        assert after == uncached(db, topic, monkeypatch, now)
        assert (after != before) == changes
        return after

    return _check


def test_a_repeated_search_is_answered_from_the_cache(db, topic, librarian, cache):
    first = search(db, topic)
    misses = cache.misses
    assert search(db, topic) == first
    assert cache.misses == misses  # nothing computed again
    assert cache.hits >= 7


def test_bookings_cancellations_and_moves(db, topic, librarian, request_for, check):
    ctx = site_at(NOW)
    booked = {}

    def book() -> None:
        booked["it"] = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=ctx)

    slots = check(book)
    assert at(TUESDAY, 9) not in [s.start for s in slots]
    token = booked["it"].manage_token
    check(lambda: svc.reschedule(db.session, token, at(TUESDAY, 10, 30), site=ctx))
    check(lambda: svc.cancel_by_patron(db.session, token, site=ctx))


def test_a_pending_hold_frees_its_time_when_it_runs_out(
    db, topic, librarian, request_for, create_topic_group, check, monkeypatch
):
    topic.group = create_topic_group(allowed_email_domains="uni.example")
    ctx = site_at(NOW)
    request = request_for(librarian, at(TUESDAY, 9), email="a@uni.example")
    check(lambda: svc.book(db.session, request, site=ctx))
    later = NOW + timedelta(minutes=31)  # no write at all: only the clock moved
    assert at(TUESDAY, 9) in [s.start for s in search(db, topic, later)]
    assert search(db, topic, later) == uncached(db, topic, monkeypatch, later)


def test_availability_settings_and_absences(db, topic, librarian, library, check):
    rule = AvailabilityRule(
        person_id=librarian.id,
        library_id=library.id,
        weekday=5,
        start_time=time(10),
        end_time=time(12),
        modes="online",
    )
    check(lambda: db.session.add(rule))
    check(lambda: setattr(rule, "end_time", time(11)))
    check(lambda: db.session.delete(rule))
    check(
        lambda: db.session.add(
            AvailabilityException(
                person_id=librarian.id, date=TUESDAY, kind=ExceptionKind.BLOCKED, note="Course"
            )
        )
    )
    settings = db.session.get(BookingSettings, librarian.id)
    check(lambda: setattr(settings, "slot_minutes", 60))
    check(
        lambda: db.session.add(
            Absence(
                person_id=librarian.id,
                starts_at=at(TUESDAY + timedelta(days=1), 0),
                ends_at=at(TUESDAY + timedelta(days=2), 0),
            )
        )
    )


def test_desk_shifts_and_hosted_sessions(
    db, topic, librarian, library, create_service_point, create_person, check
):
    point = create_service_point(library=library)
    shift = PublishedShift(
        person_id=librarian.id,
        service_point_id=point.id,
        starts_at=at(TUESDAY, 10),
        ends_at=at(TUESDAY, 12),
    )
    check(lambda: db.session.add(shift))
    check(lambda: setattr(shift, "status", PublishedShiftStatus.CANCELLED))
    session = DropInSession(
        title="Zotero drop-in",
        library_id=library.id,
        starts_at=at(TUESDAY + timedelta(days=2), 9),
        ends_at=at(TUESDAY + timedelta(days=2), 10),
        hosts=[librarian],
    )
    check(lambda: db.session.add(session))
    db.session.expire(session)  # moved by someone who never loaded its hosts

    def move() -> None:
        session.starts_at = at(TUESDAY + timedelta(days=3), 9)
        session.ends_at = at(TUESDAY + timedelta(days=3), 10)

    check(move)
    check(lambda: setattr(session, "status", SessionStatus.CANCELLED))
    session.status = SessionStatus.ANNOUNCED
    db.session.commit()
    check(lambda: setattr(session, "hosts", [create_person()]))


def test_closed_dates_and_time_zones_move_everyone(db, topic, librarian, library, check):
    check(lambda: db.session.add(ClosedDate(library_id=library.id, date=TUESDAY)))
    check(lambda: setattr(library, "timezone", "Europe/London"))


def test_bulk_statements(db, topic, librarian, library, create_topic_group, check):
    def insert_rows() -> None:
        db.session.execute(
            insert(Appointment),
            [
                {
                    "librarian_id": librarian.id,
                    "library_id": library.id,
                    "topic_id": topic.id,
                    "mode": Mode.IN_PERSON,
                    "starts_at": at(TUESDAY, 11, 15),
                    "ends_at": at(TUESDAY, 12),
                    "blocked_until": at(TUESDAY, 12),
                    "manage_token_hash": "x" * 64,
                }
            ],
        )

    check(insert_rows)
    topic.group = create_topic_group(allowed_email_domains="uni.example")
    db.session.commit()
    check(
        lambda: db.session.add(
            Appointment(
                librarian_id=librarian.id,
                library_id=library.id,
                topic_id=topic.id,
                mode=Mode.IN_PERSON,
                starts_at=at(TUESDAY + timedelta(days=1), 9),
                ends_at=at(TUESDAY + timedelta(days=1), 9, 45),
                status="pending",
                hold_expires_at=NOW - timedelta(minutes=1),
                manage_token_hash="y" * 64,
            )
        ),
        changes=False,  # an expired hold holds nothing
    )
    check(lambda: release_expired_holds(db.session, now=NOW), changes=False)


def test_a_write_elsewhere_keeps_the_entries(
    db, topic, librarian, create_librarian, create_topic, cache, request_for
):
    elsewhere = create_topic()
    other = create_librarian(topics=[elsewhere])
    db.session.commit()
    search(db, topic)
    misses = cache.misses
    request = request_for(other, at(TUESDAY, 9), topic_id=elsewhere.id)
    svc.book(db.session, request, site=site_at(NOW))
    db.session.commit()
    search(db, topic)
    assert cache.misses == misses


def test_a_write_by_another_process_is_seen(db, app_config, topic, librarian, request_for):
    """Two apps on one database (two gunicorn workers, two hosts): each its own cache."""
    db.session.commit()
    topic_id = topic.id
    other = create_app(app_config)
    query = SlotQuery(TUESDAY, WEEK_END, topic_id=topic_id)

    def search_there() -> list:
        with other.app_context():
            found = find_slots(_db.session, query, now=NOW, default_tz="Europe/Oslo")
            _db.session.remove()
            return found

    try:
        warm = search_there()
        svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site_at(NOW))
        db.session.commit()
        after = search_there()
    finally:
        with other.app_context():
            _db.engine.dispose()
    assert at(TUESDAY, 9) in [s.start for s in warm]
    assert at(TUESDAY, 9) not in [s.start for s in after]
