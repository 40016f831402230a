"""Demand rules → shifts: opening hours, closed dates, blocks, validity, DST, H5."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from scheduler.models import (
    Channel,
    ClosedDate,
    DemandRule,
    Library,
    OpeningHours,
    PeriodStatus,
    RosterPeriod,
    ServicePoint,
)
from scheduler.rostering.demand import DemandError, create_period_shifts, expand_demand

MONDAY = date(2027, 1, 4)


def make_library(hours=None, closed=()) -> Library:
    lib = Library(id=1, slug="main", name="Main", timezone="Europe/Oslo")
    hours = hours if hours is not None else [(d, time(8), time(20)) for d in range(7)]
    lib.opening_hours = [OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in hours]
    lib.closed_dates = [ClosedDate(date=d) for d in closed]
    return lib


def make_point(lib: Library, pid: int = 10, **kw) -> ServicePoint:
    kw.setdefault("name", f"Point {pid}")
    kw.setdefault("channel", Channel.DESK)
    kw.setdefault("ground_floor", True)
    kw.setdefault("first_line", True)
    kw.setdefault("active", True)
    return ServicePoint(id=pid, library_id=lib.id, **kw)


def make_rule(point: ServicePoint, **kw) -> DemandRule:
    kw.setdefault("weekdays", "01234")
    kw.setdefault("start_time", time(8))
    kw.setdefault("end_time", time(16))
    kw.setdefault("block_minutes", 120)
    kw.setdefault("min_staff", 2)
    kw.setdefault("max_staff", 2)
    kw.setdefault("skills", "desk")
    rule = DemandRule(**kw)
    rule.service_point = point
    return rule


def test_weekday_blocks_in_local_time():
    lib = make_library()
    desk = make_point(lib)
    specs = expand_demand([make_rule(desk)], lib, MONDAY, 1)
    assert len(specs) == 5 * 4
    first = specs[0]
    assert first.local_start == datetime(2027, 1, 4, 8, 0)
    assert first.local_end == datetime(2027, 1, 4, 10, 0)
    assert first.starts_at == datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # CET = UTC+1
    assert (first.min_staff, first.max_staff, first.skills) == (2, 2, ("desk",))
    assert {s.local_start.weekday() for s in specs} == {0, 1, 2, 3, 4}


def test_clipped_to_opening_hours_and_closed_days():
    hours = [(d, time(9), time(15)) for d in range(5)]  # weekdays only, 09-15
    lib = make_library(hours=hours, closed=[date(2027, 1, 6)])
    desk = make_point(lib)
    specs = expand_demand([make_rule(desk, weekdays="0123456")], lib, MONDAY, 1)
    days = {s.local_start.date() for s in specs}
    assert date(2027, 1, 6) not in days  # closed date
    assert all(s.local_start.weekday() < 5 for s in specs)  # no hours at weekends
    monday = [s for s in specs if s.local_start.date() == MONDAY]
    assert [(s.local_start.time(), s.local_end.time()) for s in monday] == [
        (time(9), time(11)),
        (time(11), time(13)),
        (time(13), time(15)),
    ]


def test_last_partial_block_kept_or_dropped():
    lib = make_library()
    desk = make_point(lib)
    kept = expand_demand([make_rule(desk, end_time=time(15), weekdays="0")], lib, MONDAY, 1)
    assert [(s.local_start.hour, s.local_end.hour) for s in kept] == [
        (8, 10),
        (10, 12),
        (12, 14),
        (14, 15),
    ]
    dropped = expand_demand([make_rule(desk, end_time=time(14, 20), weekdays="0")], lib, MONDAY, 1)
    assert dropped[-1].local_end == datetime(2027, 1, 4, 14, 0)


def test_valid_from_and_until():
    lib = make_library()
    desk = make_point(lib)
    rule = make_rule(
        desk, valid_from=date(2027, 1, 5), valid_until=date(2027, 1, 6), weekdays="0123456"
    )
    specs = expand_demand([rule], lib, MONDAY, 2)
    assert {s.local_start.date() for s in specs} == {date(2027, 1, 5), date(2027, 1, 6)}


def test_opening_hours_validity_is_honoured():
    lib = make_library(hours=[])
    lib.opening_hours = [
        OpeningHours(weekday=0, opens=time(8), closes=time(20), valid_until=date(2027, 1, 4)),
        OpeningHours(weekday=0, opens=time(10), closes=time(12), valid_from=date(2027, 1, 5)),
    ]
    desk = make_point(lib)
    specs = expand_demand([make_rule(desk, weekdays="0")], lib, MONDAY, 2)
    second = [s for s in specs if s.local_start.date() == date(2027, 1, 11)]
    assert [(s.local_start.hour, s.local_end.hour) for s in second] == [(10, 12)]


def test_dst_spring_and_autumn_keep_local_time():
    lib = make_library()
    desk = make_point(lib)
    # 2027-03-28 is the last Sunday of March; the week starts Monday 22 March.
    spring = expand_demand([make_rule(desk, weekdays="06")], lib, date(2027, 3, 22), 2)
    before = next(s for s in spring if s.local_start == datetime(2027, 3, 22, 8))
    after = next(s for s in spring if s.local_start == datetime(2027, 3, 28, 8))
    assert before.starts_at.hour == 7  # UTC+1
    assert after.starts_at.hour == 6  # UTC+2
    assert after.minutes == 120
    autumn = expand_demand([make_rule(desk, weekdays="6")], lib, date(2027, 10, 25), 1)
    assert autumn[0].local_start == datetime(2027, 10, 31, 8)
    assert autumn[0].starts_at == datetime(2027, 10, 31, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ground_floor", "first_line", "reason"),
    [(False, True, "not on the ground floor"), (True, False, "not a first-line")],
)
def test_point_not_first_line_ground_floor_is_refused(ground_floor, first_line, reason):
    lib = make_library()
    point = make_point(lib, name="Reading room", ground_floor=ground_floor, first_line=first_line)
    with pytest.raises(DemandError, match=reason) as err:
        expand_demand([make_rule(point)], lib, MONDAY, 1)
    assert err.value.field == "rules[0].service_point"


def test_inactive_point_gives_no_shifts():
    lib = make_library()
    point = make_point(lib, active=False)
    assert expand_demand([make_rule(point)], lib, MONDAY, 1) == []


def test_two_rules_starting_together_are_refused():
    lib = make_library()
    desk = make_point(lib)
    rules = [make_rule(desk), make_rule(desk, start_time=time(10), end_time=time(12))]
    with pytest.raises(DemandError, match="overlaps rules") as err:
        expand_demand(rules, lib, MONDAY, 1)
    assert err.value.field == "rules[1]"


def test_several_points_and_rules_like_the_issue_example():
    lib = make_library()
    desk = make_point(lib, 10, name="Information desk")
    back = make_point(lib, 11, name="Back office", channel=Channel.BACK_OFFICE)
    rules = [
        make_rule(desk),
        make_rule(desk, start_time=time(16), end_time=time(20), min_staff=1, max_staff=1),
        make_rule(
            back,
            start_time=time(9),
            end_time=time(16),
            block_minutes=420,
            min_staff=1,
            max_staff=1,
            skills="",
        ),
    ]
    specs = expand_demand(rules, lib, MONDAY, 1)
    assert len([s for s in specs if s.service_point_id == 10]) == 5 * 6
    assert [s.minutes for s in specs if s.service_point_id == 11] == [420] * 5
    assert specs == sorted(specs, key=lambda s: (s.starts_at, s.service_point_id))


def test_create_period_shifts_is_idempotent_and_keeps_assigned(
    db, create_library, create_service_point, create_person
):
    from scheduler.models import Assignment

    lib = create_library()
    desk = create_service_point(library=lib)
    db.session.add(make_rule(desk, weekdays="0"))
    period = RosterPeriod(library=lib, start_date=MONDAY, weeks=1)
    db.session.add(period)
    db.session.flush()
    shifts = create_period_shifts(db.session, period)
    assert len(shifts) == 4
    person = create_person()
    db.session.add(Assignment(shift=shifts[0], person=person))
    db.session.flush()
    kept_id = shifts[0].id
    again = create_period_shifts(db.session, period)
    assert len(again) == 4
    assert again[0].id == kept_id
    assert len(again[0].assignments) == 1
    db.session.commit()
    period.status = PeriodStatus.PUBLISHED
    with pytest.raises(DemandError) as err:
        create_period_shifts(db.session, period)
    assert err.value.field == "period"
