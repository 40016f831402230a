"""Only the section leaders of a library change its roster, whichever way they ask.

The use cases themselves refuse (Forbidden, nothing changed): a leader of another
library, a librarian or first-line staff of this one, and nobody at all.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.errors import Forbidden
from scheduler.models import (
    Assignment,
    Channel,
    OpeningHours,
    Role,
    RosterPeriod,
    RosterRun,
    ServicePoint,
)
from scheduler.rostering import edits, setup
from scheduler.rostering.periods import create_period
from scheduler.rostering.publish import publish
from scheduler.rostering.runs import start_run
from tests.rostering.review_data import MONDAY, make_roster


@pytest.fixture
def roster(db, create_library, create_person):
    return make_roster(db, create_library, create_person)


@pytest.fixture
def outsiders(create_person, create_library, roster):
    """People who may not change this roster: each holds a role, but not this one here."""
    here = roster.period.library
    return [
        create_person(Role.SECTION_LEADER, libraries=[create_library()]),
        create_person(Role.LIBRARIAN, Role.FIRST_LINE, libraries=[here]),
        None,
    ]


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_set_up_is_refused_to_anyone_but_the_librarys_leaders(db, roster, outsiders) -> None:
    library = roster.period.library
    data = setup.PointInput(
        name="New desk", channel=Channel.DESK, ground_floor=True, first_line=True
    )
    points, hours = _count(db, ServicePoint), _count(db, OpeningHours)
    for actor in outsiders:
        with pytest.raises(Forbidden):
            setup.save_service_point(db.session, library, data, actor=actor)
        with pytest.raises(Forbidden):
            setup.save_service_point(db.session, library, data, roster.desk, actor=actor)
        with pytest.raises(Forbidden):
            setup.remove_service_point(db.session, roster.desk, actor=actor)
        with pytest.raises(Forbidden):
            setup.add_opening_hours(db.session, library, 6, time(10), time(12), actor=actor)
        with pytest.raises(Forbidden):
            setup.remove_pool_member(db.session, library, roster.anna, actor=actor)
    assert (_count(db, ServicePoint), _count(db, OpeningHours)) == (points, hours)
    assert Role.FIRST_LINE in roster.anna.roles_in(library.id)
    # The library's own leader may.
    setup.save_service_point(db.session, library, data, actor=roster.leader)
    assert _count(db, ServicePoint) == points + 1


def test_a_point_of_another_library_cannot_be_saved_through_this_one(
    db, roster, create_library, create_person
) -> None:
    """A leader of both libraries still cannot move a point by naming the wrong library."""
    other = create_library()
    both = create_person(Role.SECTION_LEADER, libraries=[roster.period.library, other])
    data = setup.PointInput(name="Moved", channel=Channel.DESK, ground_floor=True, first_line=True)
    with pytest.raises(Exception, match="no such service point"):
        setup.save_service_point(db.session, other, data, roster.desk, actor=both)
    assert roster.desk.name != "Moved"


def test_periods_runs_edits_and_publishing_are_refused(db, roster, outsiders) -> None:
    period = roster.period
    before = [_count(db, model) for model in (Assignment, RosterPeriod, RosterRun)]
    shift = roster.shifts["desk-thu-08"]
    for actor in outsiders:
        with pytest.raises(Forbidden):
            create_period(db.session, period.library, MONDAY + timedelta(weeks=4), 1, actor)
        with pytest.raises(Forbidden):
            start_run(db.session, period, actor=actor)
        with pytest.raises(Forbidden):
            edits.add_assignment(
                db.session, period, shift_id=shift.id, person_id=roster.bo.id, actor=actor
            )
        with pytest.raises(Forbidden):
            edits.set_pins(db.session, period, [], actor=actor)
        with pytest.raises(Forbidden):
            publish(db.session, period, actor=actor)
    assert [_count(db, model) for model in (Assignment, RosterPeriod, RosterRun)] == before
    assert period.published_at is None


def test_the_message_names_the_reason(db, roster, outsiders) -> None:
    with pytest.raises(Forbidden) as refused:
        start_run(db.session, roster.period, actor=outsiders[0])
    assert refused.value.status == 403
    assert "section leaders of this library" in str(refused.value)
