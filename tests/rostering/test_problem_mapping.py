"""The database → solver Problem mapping: every field and every source of a rule."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from scheduler.models import (
    Absence,
    AbsenceKind,
    Appointment,
    AppointmentStatus,
    Assignment,
    ClosedDate,
    DropInSession,
    PeriodStatus,
    PublishedShift,
    PublishedShiftStatus,
    Role,
    RosterPeriod,
    RosterPreference,
    RunKind,
    SessionStatus,
)
from scheduler.models.availability import Mode
from scheduler.rostering.problem import DEFAULT_RULES, build_problem
from scheduler.solver import problem as sp
from scheduler.timeutil import local_to_utc
from tests.rostering.helpers import MONDAY, TZ


def at(day: int, hour: int, minute: int = 0, start: date = MONDAY) -> datetime:
    return local_to_utc(start + timedelta(days=day), time(hour, minute), TZ)


def local(day: int, hour: int, minute: int = 0, start: date = MONDAY) -> datetime:
    return datetime.combine(start + timedelta(days=day), time(hour, minute))


def staff_of(built, person) -> sp.Staff:
    key = f"p{person.id}"
    return next(s for s in built.problem.staff if s.id == key)


def test_period_points_and_shifts(db, world) -> None:
    built = build_problem(db.session, world.period)
    p = built.problem
    assert p.timezone == TZ
    assert p.start == MONDAY
    assert p.weeks == 1
    assert p.version == 1
    assert p.service_points == (
        sp.ServicePoint(f"sp{world.desk.id}", "Desk", ground_floor=True, first_line=True),
        sp.ServicePoint(f"sp{world.back.id}", "Back office", ground_floor=True, first_line=True),
    )
    first, second, back = world.shifts
    assert p.shifts[0] == sp.Shift(
        id=f"s{first.id}",
        service_point=f"sp{world.desk.id}",
        start=local(0, 8),  # 07:00 UTC in winter: local wall-clock time, naive
        end=local(0, 10),
        min_staff=1,
        max_staff=1,
        skills=("desk",),
    )
    assert [s.id for s in p.shifts] == [f"s{first.id}", f"s{back.id}", f"s{second.id}"]
    assert built.shift_ids == {f"s{s.id}": s.id for s in world.shifts}
    assert built.staff_ids == {f"p{person.id}": person.id for person in world.people}


def test_min_max_staff_and_several_skills(db, world, make_shift) -> None:
    shift = make_shift(world.period, world.desk, 2, 16, 20, lo=2, hi=3, skills="desk,chat")
    built = build_problem(db.session, world.period)
    mapped = next(s for s in built.problem.shifts if s.id == f"s{shift.id}")
    assert (mapped.min_staff, mapped.max_staff, mapped.skills) == (2, 3, ("desk", "chat"))


def test_upstairs_or_inactive_points_are_sent_as_they_are(db, world, make_shift) -> None:
    """H5 is the engine's input check: the mapping must not hide a bad point."""
    world.back.ground_floor = False
    world.desk.active = False
    built = build_problem(db.session, world.period)
    points = {p.id: p for p in built.problem.service_points}
    assert points[f"sp{world.back.id}"].ground_floor is False
    assert points[f"sp{world.desk.id}"].first_line is False


def test_shift_times_across_the_spring_dst_change(db, world, make_shift) -> None:
    start = date(2027, 3, 22)  # the week before the clocks go forward on 28 March
    period = RosterPeriod(library=world.library, start_date=start, weeks=2)
    db.session.add(period)
    db.session.flush()
    before = make_shift(period, world.desk, 6, 12, 16)  # Sunday 28 March, after the change
    after = make_shift(period, world.desk, 7, 8, 10)
    built = build_problem(db.session, period)
    shifts = {s.id: s for s in built.problem.shifts}
    assert shifts[f"s{before.id}"].start == datetime(2027, 3, 28, 12, 0)
    assert shifts[f"s{after.id}"].start == datetime(2027, 3, 29, 8, 0)
    assert before.starts_at.hour == 10  # 12:00 CEST is 10:00 UTC


def test_closed_dates_drop_their_shifts(db, world, make_shift) -> None:
    tuesday = make_shift(world.period, world.desk, 1, 8, 10)
    db.session.add(ClosedDate(library=world.library, date=MONDAY + timedelta(days=1)))
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert f"s{tuesday.id}" not in built.shift_ids
    assert len(built.problem.shifts) == 3


def test_the_pool_is_first_line_staff_of_the_library(
    db, world, create_person, create_library
) -> None:
    other = create_library()
    create_person(Role.LIBRARIAN, libraries=[world.library])  # not first line
    create_person(Role.FIRST_LINE, libraries=[other])  # another library's pool
    create_person(Role.FIRST_LINE, libraries=[world.library], active=False)
    both = create_person(Role.FIRST_LINE, Role.LIBRARIAN, libraries=[other, world.library])
    built = build_problem(db.session, world.period)
    assert set(built.staff_ids.values()) == {p.id for p in world.people} | {both.id}


def test_contract_hours_skills_and_defaults(db, world) -> None:
    a, _, c = world.people
    a.max_hours_per_day = 6.0
    c.max_hours_per_week = None
    c.target_hours_per_week = None
    c.min_hours_per_week = 5.5
    built = build_problem(db.session, world.period)
    sa = staff_of(built, a)
    assert sa == sp.Staff(
        id=f"p{a.id}",
        name=a.name,
        first_line=True,
        skills=("chat", "desk"),
        min_hours_per_week=4.0,
        max_hours_per_week=12.0,
        max_hours_per_day=6.0,
        target_hours_per_week=4.0,
    )
    sc = staff_of(built, c)
    assert sc.skills == ("desk",)
    assert sc.min_hours_per_week == 5.5
    assert sc.max_hours_per_week is None
    assert sc.target_hours_per_week is None
    assert sc.max_hours_per_day == DEFAULT_RULES["max_hours_per_day"]  # from the rules


def test_absences_become_unavailability_clipped_to_the_period(db, world) -> None:
    a, b, _ = world.people
    db.session.add_all(
        [
            Absence(person=a, kind=AbsenceKind.SICK, starts_at=at(-3, 0), ends_at=at(1, 0)),
            Absence(person=b, kind=AbsenceKind.COURSE, starts_at=at(2, 9), ends_at=at(2, 15)),
            Absence(person=b, starts_at=at(9, 9), ends_at=at(9, 15)),  # after the period
        ]
    )
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert staff_of(built, a).unavailable == (
        sp.Unavailable(local(0, 0), local(1, 0), "absence (sick)"),
    )
    assert staff_of(built, b).unavailable == (
        sp.Unavailable(local(2, 9), local(2, 15), "absence (course)"),
    )


def test_extra_absences_are_added(db, world) -> None:
    a = world.people[0]
    extra = Absence(person_id=a.id, starts_at=at(0, 8), ends_at=at(0, 12))
    built = build_problem(db.session, world.period, extra_absences=[extra])
    assert staff_of(built, a).unavailable == (sp.Unavailable(local(0, 8), local(0, 12), "absence"),)


def _appointment(person, start, end, blocked=None, status=AppointmentStatus.BOOKED, hold=None):
    return Appointment(
        librarian=person,
        mode=Mode.IN_PERSON,
        starts_at=start,
        ends_at=end,
        blocked_until=blocked or end,
        status=status,
        hold_expires_at=hold,
        manage_token_hash=secrets.token_hex(32),
    )


def test_booked_appointments_and_their_buffer_are_unavailable(db, world) -> None:
    a, b, c = world.people
    db.session.add_all(
        [
            _appointment(a, at(0, 10), at(0, 10, 45), blocked=at(0, 11)),
            _appointment(b, at(0, 10), at(0, 11), status=AppointmentStatus.CANCELLED),
            _appointment(
                c,
                at(1, 12),
                at(1, 13),
                status=AppointmentStatus.PENDING,
                hold=datetime.now().astimezone() + timedelta(minutes=20),
            ),
        ]
    )
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert staff_of(built, a).unavailable == (
        sp.Unavailable(local(0, 10), local(0, 11), "appointment"),
    )
    assert staff_of(built, b).unavailable == ()
    assert staff_of(built, c).unavailable == (
        sp.Unavailable(local(1, 12), local(1, 13), "appointment"),  # held for the patron
    )


def test_hosted_dropin_sessions_are_unavailable(db, world) -> None:
    a, b, _ = world.people
    db.session.add_all(
        [
            DropInSession(
                title="EndNote",
                library=world.library,
                starts_at=at(3, 14),
                ends_at=at(3, 15),
                hosts=[a],
            ),
            DropInSession(
                title="Zotero",
                library=world.library,
                starts_at=at(3, 14),
                ends_at=at(3, 15),
                hosts=[b],
                status=SessionStatus.CANCELLED,
            ),
        ]
    )
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert staff_of(built, a).unavailable == (
        sp.Unavailable(local(3, 14), local(3, 15), "drop-in session"),
    )
    assert staff_of(built, b).unavailable == ()


def test_shifts_published_in_another_roster_are_unavailable(db, world, create_library) -> None:
    a = world.people[0]
    other = create_library()
    from scheduler.models import Channel, ServicePoint

    point = ServicePoint(library=other, name="Desk", channel=Channel.DESK)
    db.session.add(point)
    db.session.add_all(
        [
            PublishedShift(person=a, service_point=point, starts_at=at(4, 8), ends_at=at(4, 12)),
            PublishedShift(
                person=a,
                service_point=point,
                starts_at=at(4, 14),
                ends_at=at(4, 16),
                status=PublishedShiftStatus.CANCELLED,
            ),
        ]
    )
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert staff_of(built, a).unavailable == (
        sp.Unavailable(local(4, 8), local(4, 12), "shift in another roster"),
    )


def test_preferences(db, world) -> None:
    a = world.people[0]
    db.session.add_all(
        [
            RosterPreference(person=a, starts_at=at(0, 16), ends_at=at(0, 20), weight=3),
            RosterPreference(person=a, starts_at=at(1, 8), ends_at=at(1, 12), weight=-2),
            RosterPreference(person=a, starts_at=at(20, 8), ends_at=at(20, 12), weight=5),
        ]
    )
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert staff_of(built, a).preferences == (
        sp.Preference(local(0, 16), local(0, 20), 3),
        sp.Preference(local(1, 8), local(1, 12), -2),
    )


def test_pins_and_previous_by_kind(db, world) -> None:
    a, b, _ = world.people
    s1, s2, _ = world.shifts
    db.session.add_all(
        [
            Assignment(shift=s1, person=a, pinned=True),
            Assignment(shift=s2, person=b),
        ]
    )
    db.session.flush()
    pinned = (sp.Assignment(f"s{s1.id}", f"p{a.id}"),)
    generate = build_problem(db.session, world.period)
    assert generate.problem.pinned == pinned
    assert generate.problem.previous == ()
    resolve = build_problem(db.session, world.period, kind=RunKind.RESOLVE)
    assert resolve.problem.pinned == pinned
    assert resolve.problem.previous == (
        sp.Assignment(f"s{s1.id}", f"p{a.id}"),
        sp.Assignment(f"s{s2.id}", f"p{b.id}"),
    )


def test_a_repair_keeps_the_published_roster(db, world) -> None:
    a, b, c = world.people
    s1, s2, _ = world.shifts
    world.period.status = PeriodStatus.PUBLISHED
    db.session.add(Assignment(shift=s1, person=c))  # a draft edit, not what staff were told
    db.session.add_all(
        [
            PublishedShift(
                person=a,
                period_id=world.period.id,
                service_point=world.desk,
                starts_at=s1.starts_at,
                ends_at=s1.ends_at,
            ),
            PublishedShift(
                person=b,
                period_id=world.period.id,
                service_point=world.desk,
                starts_at=s2.starts_at,
                ends_at=s2.ends_at,
            ),
        ]
    )
    db.session.flush()
    built = build_problem(db.session, world.period, kind=RunKind.REPAIR)
    assert built.problem.previous == (
        sp.Assignment(f"s{s1.id}", f"p{a.id}"),
        sp.Assignment(f"s{s2.id}", f"p{b.id}"),
    )
    assert built.problem.rules.allow_understaffing is True


def test_a_pinned_person_who_left_the_pool_stays_in_the_problem(db, world, create_person) -> None:
    gone = create_person(Role.LIBRARIAN, skills=["desk"])
    db.session.add(Assignment(shift=world.shifts[0], person=gone, pinned=True))
    db.session.flush()
    built = build_problem(db.session, world.period)
    assert staff_of(built, gone).first_line is False  # the engine reports the broken pin


def test_rules_default_and_override(db, world) -> None:
    rules = build_problem(db.session, world.period).problem.rules
    assert rules == sp.Rules(
        min_hours_per_week=4,
        max_hours_per_day=8,
        max_consecutive_hours=4,
        min_break_minutes=15,
        allow_understaffing=False,
        weights=dict(sp.DEFAULT_WEIGHTS),
    )
    changed = build_problem(
        db.session,
        world.period,
        rules={"max_consecutive_hours": None, "min_break_minutes": 30, "weights": {"target": 5}},
    ).problem.rules
    assert changed.max_consecutive_hours is None
    assert changed.min_break_minutes == 30
    assert changed.weights["target"] == 5
    assert changed.weights["change"] == sp.DEFAULT_WEIGHTS["change"]


def test_unavailability_across_the_autumn_dst_change(db, world, make_shift) -> None:
    """An absence from Saturday noon to Monday 08:00 around the clocks going back."""
    start = date(2027, 10, 25)  # the week after: clocks go back on Sunday 31 October
    period = RosterPeriod(library=world.library, start_date=date(2027, 10, 25), weeks=2)
    db.session.add(period)
    db.session.flush()
    make_shift(period, world.desk, 6, 12, 16)
    a = world.people[0]
    db.session.add(
        Absence(person=a, starts_at=at(5, 12, start=start), ends_at=at(7, 8, start=start))
    )
    db.session.flush()
    built = build_problem(db.session, period)
    (gap,) = staff_of(built, a).unavailable
    assert (gap.start, gap.end) == (datetime(2027, 10, 30, 12), datetime(2027, 11, 1, 8))
    assert (gap.end - gap.start) == timedelta(hours=44)  # wall clock; really 45 hours
