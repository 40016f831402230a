"""Set-up use cases without the pages: pool hours, opening-hour overlaps, the week grid."""

from __future__ import annotations

from datetime import date, time

import pytest

from scheduler.errors import InputError
from scheduler.models import Channel, Library, OpeningHours, ServicePoint
from scheduler.rostering import setup
from scheduler.rostering.demand import expand_demand
from tests.factories import acting_admin
from tests.rostering.test_demand import make_library, make_point, make_rule


@pytest.mark.parametrize(
    ("lo", "target", "hi", "field"),
    [
        (4, None, None, None),
        (3.5, None, None, "min_hours_per_week"),
        (0, 2, 4, "min_hours_per_week"),
        (6, None, 5, "max_hours_per_week"),
        (6, 5, 10, "target_hours_per_week"),
        (6, 11, 10, "target_hours_per_week"),
        (4, 8, 12, None),
    ],
)
def test_pool_hours(lo, target, hi, field) -> None:
    data = setup.PoolInput(
        skills=[], min_hours_per_week=lo, target_hours_per_week=target, max_hours_per_week=hi
    )
    if field is None:
        setup.check_pool_hours(data)
    else:
        with pytest.raises(InputError) as err:
            setup.check_pool_hours(data)
        assert list(err.value.fields) == [field]


def test_opening_hours_may_overlap_only_in_different_validity(db, create_library) -> None:
    lib: Library = create_library(hours=[])
    setup.add_opening_hours(
        db.session, lib, 0, time(8), time(20), None, date(2027, 6, 30), actor=acting_admin()
    )
    summer = setup.add_opening_hours(
        db.session,
        lib,
        0,
        time(10),
        time(15),
        date(2027, 7, 1),
        date(2027, 8, 15),
        actor=acting_admin(),
    )
    assert isinstance(summer, OpeningHours)
    with pytest.raises(InputError, match="overlaps"):
        setup.add_opening_hours(
            db.session, lib, 0, time(12), time(13), date(2027, 8, 1), None, actor=acting_admin()
        )
    assert len(lib.opening_hours) == 2


def test_a_point_with_a_published_shift_is_only_deactivated(db, create_library) -> None:
    from datetime import UTC, datetime

    from scheduler.models import PublishedShift

    lib = create_library()
    point = ServicePoint(library=lib, name="Chat", channel=Channel.CHAT)
    db.session.add(point)
    db.session.flush()
    from scheduler.models import Person

    person = Person(email="p@uni.example", name="P")
    db.session.add(person)
    db.session.flush()
    db.session.add(
        PublishedShift(
            person_id=person.id,
            service_point_id=point.id,
            starts_at=datetime(2027, 1, 4, 8, tzinfo=UTC),
            ends_at=datetime(2027, 1, 4, 10, tzinfo=UTC),
        )
    )
    db.session.flush()
    assert setup.remove_service_point(db.session, point, actor=acting_admin()) is False
    assert point.active is False


def test_week_grid_places_shifts_by_day_time_and_point() -> None:
    lib = make_library()
    desk = make_point(lib, 10)
    back = make_point(lib, 11, channel=Channel.BACK_OFFICE)
    specs = expand_demand(
        [
            make_rule(desk, weekdays="0", start_time=time(8), end_time=time(12)),
            make_rule(back, weekdays="0", start_time=time(10), end_time=time(12)),
        ],
        lib,
        date(2027, 1, 4),
        1,
    )
    grid = setup.week_grid(specs, date(2027, 1, 6))
    assert (grid.first_hour, grid.last_hour) == (8, 12)
    assert grid.hours == [8, 9, 10, 11]
    monday, blocks = grid.days[0]
    assert monday == date(2027, 1, 4)
    assert [(b.top, b.height, b.lane) for b in blocks] == [
        (0.0, 50.0, 0),
        (50.0, 50.0, 0),
        (50.0, 50.0, 1),
    ]
    assert all(not b for _, b in grid.days[1:])
