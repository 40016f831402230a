"""Creating roster periods: whole weeks from a Monday, shifts from demand, no overlap."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.models import (
    Channel,
    DemandRule,
    PeriodStatus,
    Role,
    RosterPeriod,
    ServicePoint,
    Shift,
)
from scheduler.rostering.periods import PeriodError, create_period
from tests.factories import acting_admin
from tests.rostering.helpers import MONDAY


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def desk_demand(db, world):
    rule = DemandRule(
        service_point=world.desk,
        weekdays="01234",
        start_time=time(8),
        end_time=time(12),
        block_minutes=120,
        min_staff=1,
        max_staff=2,
        skills="desk",
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def test_a_period_gets_its_shifts_from_demand(db, world, desk_demand) -> None:
    leader = world.people[0]
    leader.grant(Role.SECTION_LEADER, world.library)
    start = MONDAY + timedelta(days=14)
    period = create_period(db.session, world.library, start, 2, leader)
    assert (period.start_date, period.weeks, period.status) == (start, 2, PeriodStatus.DRAFT)
    assert period.created_by_id == leader.id
    shifts = db.session.scalars(select(Shift).where(Shift.period_id == period.id)).all()
    assert len(shifts) == 2 * 5 * 2  # two weeks, five weekdays, two 2-hour blocks
    assert {(s.min_staff, s.max_staff, s.skills) for s in shifts} == {(1, 2, "desk")}


@pytest.mark.parametrize(
    ("start", "weeks", "field", "reason"),
    [
        (MONDAY + timedelta(days=2), 4, "start", "must be a Monday"),
        (MONDAY, 0, "weeks", "between 1 and 26"),
        (MONDAY, 27, "weeks", "between 1 and 26"),
        (MONDAY, 1.5, "weeks", "whole number of weeks"),
        (MONDAY, "4", "weeks", "whole number of weeks"),
    ],
)
def test_bad_dates_are_refused_and_nothing_is_stored(
    db, world, desk_demand, start, weeks, field, reason
) -> None:
    before = (count(db, RosterPeriod), count(db, Shift))
    with pytest.raises(PeriodError) as caught:
        create_period(db.session, world.library, start, weeks, acting_admin())
    assert caught.value.field_name == field
    assert reason in str(caught.value)
    assert caught.value.fields == {field: caught.value.reason}
    assert (count(db, RosterPeriod), count(db, Shift)) == before


def test_no_overlap_with_a_published_roster(db, world, desk_demand, create_library) -> None:
    world.period.status = PeriodStatus.PUBLISHED  # MONDAY, one week
    db.session.flush()
    for start, weeks in [(MONDAY, 1), (MONDAY - timedelta(days=7), 2), (MONDAY, 3)]:
        with pytest.raises(PeriodError, match="overlaps the published roster from 2027-01-04"):
            create_period(db.session, world.library, start, weeks, acting_admin())
    # Right before or after it is fine, and so is another library in the same weeks.
    create_period(db.session, world.library, MONDAY - timedelta(days=7), 1, acting_admin())
    create_period(db.session, world.library, MONDAY + timedelta(days=7), 1, acting_admin())
    create_period(db.session, create_library(), MONDAY, 1, acting_admin())
    # A draft may overlap another draft (only one of them can be published).
    create_period(db.session, world.library, MONDAY + timedelta(days=7), 1, acting_admin())


def test_demand_that_cannot_become_shifts_refuses_the_whole_period(db, world) -> None:
    upstairs = ServicePoint(
        library=world.library, name="Reading room", channel=Channel.DESK, ground_floor=False
    )
    db.session.add(
        DemandRule(
            service_point=upstairs,
            weekdays="0",
            start_time=time(10),
            end_time=time(12),
            block_minutes=120,
        )
    )
    db.session.flush()
    before = (count(db, RosterPeriod), count(db, Shift))
    with pytest.raises(PeriodError, match="not on the ground floor") as caught:
        create_period(db.session, world.library, date(2027, 2, 1), 1, acting_admin())
    assert caught.value.field_name == "demand"
    assert (count(db, RosterPeriod), count(db, Shift)) == before
