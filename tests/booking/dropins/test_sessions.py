"""Staff use cases: create, edit (one or the series), cancel and copy sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.booking.dropins.recurrence import Recurrence, Repeat
from scheduler.booking.dropins.sessions import (
    SessionDetails,
    cancel_series,
    cancel_session,
    copy_session,
    create_sessions,
    details_of,
    may_see_registrants,
    series_details,
    update_series,
    update_session,
)
from scheduler.errors import Conflict, InputError
from scheduler.models import (
    Appointment,
    ClosedDate,
    DropInSession,
    Mode,
    RegistrationStatus,
    Role,
    SessionSeries,
    SessionStatus,
)
from scheduler.timeutil import local_to_utc, to_local, utcnow
from tests.booking.dropins.conftest import TZ, calendars, only_event, outbox

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def library(create_library, host):
    """The host is a librarian of this library (and so may add sessions to it)."""
    lib = create_library(name="Main Library")
    host.grant(Role.LIBRARIAN, lib)
    return lib


@pytest.fixture
def details(library, host, create_topic):
    topic = create_topic(name="Reference management")
    return SessionDetails(
        title="Zotero drop-in",
        library_id=library.id,
        start_time=time(10),
        end_time=time(11, 30),
        topic_id=topic.id,
        location="Learning centre",
        host_ids=(host.id,),
        registration_required=True,
        capacity=10,
        deadline_hours=2,
        question="What do you use now?",
    )


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_one_session_in_local_time(db, details, host) -> None:
    created = create_sessions(
        db.session, host, details, Recurrence(Repeat.ONCE, date(2027, 3, 3)), now=NOW
    )
    (dropin,) = created.sessions
    assert created.series is None
    assert dropin.starts_at == datetime(2027, 3, 3, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert dropin.ends_at == datetime(2027, 3, 3, 10, 30, tzinfo=UTC)
    assert dropin.registration_deadline == dropin.starts_at - timedelta(hours=2)
    assert dropin.hosts == [host]
    assert dropin.topic.name == "Reference management"
    assert dropin.created_by_id == host.id
    assert dropin.sequence == 0


def test_weekly_series_keeps_wall_clock_time_across_the_march_dst_change(db, details, host) -> None:
    # 2027-03-28 is the last Sunday of March: Oslo moves from UTC+1 to UTC+2.
    created = create_sessions(
        db.session, host, details, Recurrence(Repeat.WEEKLY, date(2027, 3, 17), weeks=3), now=NOW
    )
    starts = [s.starts_at for s in created.sessions]
    assert [to_local(s, TZ).time() for s in starts] == [time(10)] * 3
    assert [s.hour for s in starts] == [9, 9, 8]  # in UTC the series moves by an hour
    assert [to_local(s, TZ).date() for s in starts] == [
        date(2027, 3, 17),
        date(2027, 3, 24),
        date(2027, 3, 31),
    ]
    assert created.series is not None
    assert created.series.title == "Zotero drop-in"
    assert {s.series_id for s in created.sessions} == {created.series.id}


def test_weekly_series_keeps_wall_clock_time_across_the_october_dst_change(
    db, details, host
) -> None:
    # 2027-10-31 is the last Sunday of October: Oslo goes back from UTC+2 to UTC+1.
    autumn = datetime(2027, 10, 1, tzinfo=UTC)
    created = create_sessions(
        db.session,
        host,
        replace(details, start_time=time(18), end_time=time(19, 30)),
        Recurrence(Repeat.WEEKLY, date(2027, 10, 25), weeks=2),
        now=autumn,
    )
    assert [to_local(s.starts_at, TZ).time() for s in created.sessions] == [time(18)] * 2
    assert [s.starts_at.hour for s in created.sessions] == [16, 17]
    assert [s.ends_at - s.starts_at for s in created.sessions] == [timedelta(minutes=90)] * 2


def test_series_on_a_list_of_dates_and_closed_days_left_out_of_weekly(
    db, details, host, library
) -> None:
    db.session.add(ClosedDate(library=library, date=date(2027, 3, 10), reason="Staff seminar"))
    weekly = create_sessions(
        db.session, host, details, Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=3), now=NOW
    )
    assert [to_local(s.starts_at, TZ).date() for s in weekly.sessions] == [
        date(2027, 3, 3),
        date(2027, 3, 17),
    ]
    assert weekly.skipped == [(date(2027, 3, 10), "Staff seminar")]
    listed = create_sessions(
        db.session,
        host,
        replace(details, start_time=time(18), end_time=time(19)),
        Recurrence(Repeat.DATES, dates=(date(2027, 4, 8), date(2027, 4, 2))),
        now=NOW,
    )
    assert [to_local(s.starts_at, TZ) for s in listed.sessions] == [
        local_to_utc(date(2027, 4, 2), time(18), TZ).astimezone(to_local(NOW, TZ).tzinfo),
        local_to_utc(date(2027, 4, 8), time(18), TZ).astimezone(to_local(NOW, TZ).tzinfo),
    ]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": "  "}, "title", "required"),
        ({"end_time": time(9)}, "end_time", "after the start"),
        ({"end_time": time(10)}, "end_time", "after the start"),
        ({"library_id": 999_999}, "library", "does not exist"),
        ({"topic_id": 999_999}, "topic", "does not exist"),
        ({"capacity": 0}, "capacity", "between 1 and"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
        ({"host_ids": ()}, "hosts", "at least one host"),
        ({"host_ids": (999_999,)}, "hosts", "does not exist"),
        ({"registration_required": False}, "capacity", "needs registration"),
        ({"deadline_local": datetime(2027, 3, 3, 12)}, "deadline_hours", "not both"),
        (
            {"deadline_hours": None, "deadline_local": datetime(2027, 3, 4)},
            "registration_deadline",
            "after the start",
        ),
        (
            {"deadline_hours": None, "deadline_local": datetime(2027, 2, 27)},
            "registration_deadline",
            "in the past",
        ),
        ({"title": "x" * 201}, "title", "longer than 200"),
    ],
)
def test_bad_details_name_the_field_and_create_nothing(
    db, details, host, change, field, words
) -> None:
    with pytest.raises(InputError) as caught:
        create_sessions(
            db.session,
            host,
            replace(details, **change),
            Recurrence(Repeat.ONCE, date(2027, 3, 3)),
            now=NOW,
        )
    assert field in caught.value.fields, caught.value.fields
    assert words in caught.value.fields[field]
    assert _count(db, DropInSession) == 0
    assert _count(db, SessionSeries) == 0


def test_all_bad_fields_are_reported_at_once(db, details, host) -> None:
    bad = replace(details, title="", end_time=time(9), capacity=-1)
    with pytest.raises(InputError) as caught:
        create_sessions(db.session, host, bad, Recurrence(Repeat.WEEKLY, None, weeks=2), now=NOW)
    assert {"title", "end_time", "capacity"} <= set(caught.value.fields)


def test_a_recurrence_that_produces_no_dates_creates_nothing(db, details, host, library) -> None:
    db.session.add(ClosedDate(library=library, date=date(2027, 3, 3), reason="Closed"))
    with pytest.raises(InputError) as caught:
        create_sessions(
            db.session,
            host,
            details,
            Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=1),
            now=NOW,
        )
    assert "gives no dates" in caught.value.fields["weeks"]
    assert _count(db, DropInSession) == 0


def test_only_librarians_and_section_leaders_can_host(db, details, host, create_person) -> None:
    desk = create_person(Role.FIRST_LINE, name="Desk Dina")
    with pytest.raises(InputError) as caught:
        create_sessions(
            db.session,
            host,
            replace(details, host_ids=(host.id, desk.id)),
            Recurrence(Repeat.ONCE, date(2027, 3, 3)),
            now=NOW,
        )
    assert caught.value.fields["hosts"] == "Desk Dina is not a librarian"


def test_a_host_cannot_be_in_two_places_at_once(db, details, host, library) -> None:
    db.session.add(
        Appointment(
            librarian=host,
            library=library,
            mode=Mode.IN_PERSON,
            starts_at=local_to_utc(date(2027, 3, 3), time(11), TZ),
            ends_at=local_to_utc(date(2027, 3, 3), time(11, 45), TZ),
            manage_token_hash="x" * 64,
        )
    )
    with pytest.raises(InputError) as caught:
        create_sessions(
            db.session, host, details, Recurrence(Repeat.ONCE, date(2027, 3, 3)), now=NOW
        )
    assert "has an appointment at that time (2027-03-03 11:00)" in caught.value.fields["hosts"]
    # A session the same host already runs at that time clashes too.
    create_sessions(db.session, host, details, Recurrence(Repeat.ONCE, date(2027, 3, 4)), now=NOW)
    with pytest.raises(InputError) as caught:
        create_sessions(
            db.session,
            host,
            replace(details, title="Other", start_time=time(11)),
            Recurrence(Repeat.ONCE, date(2027, 3, 4)),
            now=NOW,
        )
    assert "hosts “Zotero drop-in” at that time" in caught.value.fields["hosts"]


# Editing ---------------------------------------------------------------------------


@pytest.fixture
def series(db, details, host):
    return create_sessions(
        db.session, host, details, Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=4), now=NOW
    ).sessions


def test_edit_one_occurrence_moves_only_it_and_tells_its_registrants(
    db, series, details, host, sign_up, site
) -> None:
    first, second = series[0], series[1]
    sign_up(second, 1, now=NOW)
    sign_up(series[2], 2, now=NOW)
    moved = update_session(
        db.session,
        host,
        second.id,
        replace(details, start_time=time(14), end_time=time(15)),
        on_date=date(2027, 3, 11),
        site=site,
        now=NOW,
    )
    assert moved.starts_at == local_to_utc(date(2027, 3, 11), time(14), TZ)
    assert moved.sequence == 1
    assert moved.series_id == first.series_id
    assert first.sequence == 0
    assert to_local(first.starts_at, TZ).hour == 10
    changed = [m for m in outbox(db) if m.subject.startswith("Changed")]
    assert [m.to_address for m in changed] == ["student1@uni.example"]
    event = only_event(calendars(changed[0])[0])
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == moved.starts_at


def test_an_edit_that_changes_nothing_keeps_the_sequence(db, series, details, host, site) -> None:
    dropin = series[0]
    update_session(
        db.session,
        host,
        dropin.id,
        details_of(dropin),
        on_date=date(2027, 3, 3),
        site=site,
        now=NOW,
    )
    assert dropin.sequence == 0
    update_session(
        db.session,
        host,
        dropin.id,
        replace(details, description="New words"),
        on_date=date(2027, 3, 3),
        site=site,
        now=NOW,
    )
    assert dropin.sequence == 1
    assert outbox(db) == []  # nobody registered, and descriptions are not news anyway


def test_edit_the_series_changes_every_upcoming_occurrence_on_its_own_date(
    db, series, details, host, site
) -> None:
    later = NOW + timedelta(days=10)  # the first two have taken place by then
    changed = update_series(
        db.session,
        host,
        series[0].series_id,
        replace(details, title="Zotero clinic", start_time=time(13), end_time=time(14)),
        site=site,
        now=later,
    )
    assert [s.id for s in changed] == [s.id for s in series[2:]]
    assert [to_local(s.starts_at, TZ).time() for s in series] == [time(10)] * 2 + [time(13)] * 2
    # Across the DST change the local date and time hold.
    assert [to_local(s.starts_at, TZ).date() for s in series[2:]] == [
        date(2027, 3, 17),
        date(2027, 3, 24),
    ]
    assert [s.title for s in series] == ["Zotero drop-in"] * 2 + ["Zotero clinic"] * 2
    assert [s.sequence for s in series] == [0, 0, 1, 1]
    assert db.session.get(SessionSeries, series[0].series_id).title == "Zotero clinic"


def test_series_details_keep_a_shared_fixed_deadline(db, series, details, host, site) -> None:
    update_series(
        db.session,
        host,
        series[0].series_id,
        replace(details, deadline_hours=None, deadline_local=datetime(2027, 3, 2, 12)),
        site=site,
        now=NOW,
    )
    shared = series_details(series)
    assert shared.deadline_local == datetime(2027, 3, 2, 12)
    assert shared.deadline_hours is None
    # Weekly drop-ins that close two hours before each session show it that way.
    update_series(db.session, host, series[0].series_id, details, site=site, now=NOW)
    assert series_details(series).deadline_hours == 2
    assert series_details(series).deadline_local is None
    # One session on its own shows its closing time as a date and time.
    assert details_of(series[0]).deadline_local == datetime(2027, 3, 3, 8)


def test_capacity_below_those_registered_is_refused_and_nothing_changes(
    db, series, details, host, sign_up, site
) -> None:
    dropin = series[1]
    for n in range(3):
        sign_up(dropin, n, now=NOW)
    db.session.commit()
    with pytest.raises(InputError) as caught:
        update_series(
            db.session,
            host,
            dropin.series_id,
            replace(details, capacity=2, title="Renamed"),
            site=site,
            now=NOW,
        )
    assert caught.value.fields == {
        "capacity": "is lower than the 3 people already registered (2027-03-10)"
    }
    db.session.rollback()  # what the request does with an error
    assert {s.capacity for s in db.session.scalars(select(DropInSession))} == {10}
    assert {s.title for s in db.session.scalars(select(DropInSession))} == {"Zotero drop-in"}


def test_more_places_move_the_waitlist_up_and_tell_them(
    db, series, details, host, sign_up, site
) -> None:
    dropin = series[0]
    update_session(
        db.session,
        host,
        dropin.id,
        replace(details, capacity=1),
        on_date=date(2027, 3, 3),
        site=site,
        now=NOW,
    )
    sign_up(dropin, 1, now=NOW)
    sign_up(dropin, 2, now=NOW)
    sign_up(dropin, 3, now=NOW)
    update_session(
        db.session,
        host,
        dropin.id,
        replace(details, capacity=2),
        on_date=date(2027, 3, 3),
        site=site,
        now=NOW,
    )
    regs = {r.email: (r.status, r.position) for r in dropin.registrations}
    assert regs == {
        "student1@uni.example": (RegistrationStatus.REGISTERED, None),
        "student2@uni.example": (RegistrationStatus.REGISTERED, None),
        "student3@uni.example": (RegistrationStatus.WAITLISTED, 1),
    }
    (promoted,) = [m for m in outbox(db) if m.subject.startswith("You have a place")]
    assert promoted.to_address == "student2@uni.example"
    assert calendars(promoted)[0]["METHOD"] == "REQUEST"


def test_registration_cannot_be_switched_off_while_people_are_signed_up(
    db, series, details, host, sign_up, site
) -> None:
    sign_up(series[0], 1, now=NOW)
    plain = replace(
        details, registration_required=False, capacity=None, question=None, deadline_hours=None
    )
    with pytest.raises(InputError) as caught:
        update_session(
            db.session, host, series[0].id, plain, on_date=date(2027, 3, 3), site=site, now=NOW
        )
    assert "1 people have signed up" in caught.value.fields["registration_required"]


def test_a_session_cannot_be_moved_into_the_past_or_edited_after_it_ended(
    db, series, details, host, site
) -> None:
    with pytest.raises(InputError) as caught:
        update_session(
            db.session, host, series[1].id, details, on_date=date(2027, 2, 26), site=site, now=NOW
        )
    assert caught.value.fields == {"date": "is in the past"}
    with pytest.raises(Conflict):
        update_session(
            db.session,
            host,
            series[0].id,
            details,
            on_date=date(2027, 3, 3),
            site=site,
            now=NOW + timedelta(days=3),
        )


# Cancelling ------------------------------------------------------------------------


def test_cancelling_a_session_tells_everyone_registered_or_waiting(
    db, series, details, host, sign_up, site
) -> None:
    dropin = series[0]
    update_session(
        db.session,
        host,
        dropin.id,
        replace(details, capacity=1),
        on_date=date(2027, 3, 3),
        site=site,
        now=NOW,
    )
    sign_up(dropin, 1, now=NOW)
    sign_up(dropin, 2, now=NOW)  # waitlisted
    before = len(outbox(db))
    cancel_session(db.session, host, dropin.id, message="The room flooded.", site=site, now=NOW)
    assert dropin.status == SessionStatus.CANCELLED
    assert dropin.cancelled_at == NOW
    assert dropin.sequence == 2
    notices = outbox(db)[before:]
    assert sorted(m.to_address for m in notices) == ["student1@uni.example", "student2@uni.example"]
    assert all(m.subject == "Cancelled: Zotero drop-in" for m in notices)
    assert all("The room flooded." in m.body_text for m in notices)
    registered = next(m for m in notices if m.to_address == "student1@uni.example")
    cal = calendars(registered)[0]
    assert cal["METHOD"] == "CANCEL"
    assert only_event(cal)["STATUS"] == "CANCELLED"
    assert only_event(cal)["SEQUENCE"] == 2
    waiting = next(m for m in notices if m.to_address == "student2@uni.example")
    assert calendars(waiting) == []  # never had a place, so no invitation to remove
    with pytest.raises(Conflict):
        cancel_session(db.session, host, dropin.id, message=None, site=site, now=NOW)


def test_cancelling_the_series_sends_one_e_mail_per_person(db, series, host, sign_up, site) -> None:
    sign_up([s.id for s in series], 1, now=NOW)
    before = len(outbox(db))
    cancelled = cancel_series(
        db.session, host, series[0].series_id, message=None, site=site, now=NOW
    )
    assert len(cancelled) == 4
    (notice,) = outbox(db)[before:]
    assert len(calendars(notice)) == 4
    assert {s.status for s in series} == {SessionStatus.CANCELLED}
    with pytest.raises(Conflict):
        cancel_series(db.session, host, series[0].series_id, message=None, site=site, now=NOW)


def test_copy_makes_a_new_session_with_the_same_details(db, series, host) -> None:
    source = series[0]
    copied = copy_session(
        db.session, host, source.id, Recurrence(Repeat.ONCE, date(2027, 5, 5)), now=NOW
    )
    (copy,) = copied.sessions
    assert copy.id != source.id
    assert copy.series_id is None
    assert (copy.title, copy.capacity, copy.question, copy.hosts) == (
        source.title,
        source.capacity,
        source.question,
        source.hosts,
    )
    assert to_local(copy.starts_at, TZ).time() == time(10)
    # The deadline moves with the date: still two hours before.
    assert copy.starts_at - copy.registration_deadline == timedelta(hours=2)


def test_who_sees_registrants(db, series, host, create_person) -> None:
    dropin = series[0]
    assert may_see_registrants(host, dropin)
    assert may_see_registrants(
        create_person(Role.SECTION_LEADER, libraries=[dropin.library]), dropin
    )
    assert may_see_registrants(create_person(Role.ADMIN), dropin)
    assert not may_see_registrants(
        create_person(Role.LIBRARIAN, libraries=[dropin.library]), dropin
    )
    # A section leader of another library does not.
    assert not may_see_registrants(create_person(Role.SECTION_LEADER), dropin)


def test_real_now_is_accepted(db, details, host) -> None:
    """The service works with the real clock too (no hidden fixed dates)."""
    tomorrow = (utcnow() + timedelta(days=1)).date()
    created = create_sessions(
        db.session, host, details, Recurrence(Repeat.ONCE, tomorrow), now=utcnow()
    )
    assert created.sessions[0].starts_at > utcnow()
