"""Solver runs with the real engine; each stored roster passes the checker (tests.conftest).

A week of desk and back-office shifts; every kind of input the mapping reads (an
absence, a booked appointment, a hosted drop-in, a preference, a pin) is present, and
the stored Problem and Solution must pass the independent checker.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from scheduler.jobs.runner import run_pending
from scheduler.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    Assignment,
    DropInSession,
    RosterPreference,
    RosterRun,
    RunKind,
    Shift,
)
from scheduler.models.availability import Mode
from scheduler.rostering.runs import run_state, start_run
from scheduler.timeutil import local_to_utc
from tests.conftest import check_roster
from tests.factories import acting_admin
from tests.rostering.helpers import MONDAY, TZ, real_engine


def at(day: int, hour: int) -> datetime:
    return local_to_utc(MONDAY + timedelta(days=day), time(hour), TZ)


@pytest.fixture
def week(db, world, make_shift):
    """Desk 08-12 (1-2 people) and back office 09-11 on every weekday, plus the inputs."""
    real_engine()
    for shift in world.shifts:
        db.session.delete(shift)
    db.session.flush()
    shifts = []
    for day in range(5):
        shifts += [
            make_shift(world.period, world.desk, day, 8, 10, lo=1, hi=2, skills="desk"),
            make_shift(world.period, world.desk, day, 10, 12, lo=1, hi=2, skills="desk"),
            make_shift(world.period, world.back, day, 9, 11, lo=1, hi=1, skills="chat"),
        ]
    a, b, c = world.people
    db.session.add_all(
        [
            Absence(person=a, starts_at=at(1, 0), ends_at=at(2, 0)),  # a: away Tuesday
            Appointment(  # b: a student at 08:00 on Wednesday
                librarian=b,
                mode=Mode.IN_PERSON,
                starts_at=at(2, 8),
                ends_at=at(2, 9),
                blocked_until=at(2, 9),
                status=AppointmentStatus.BOOKED,
                manage_token_hash=secrets.token_hex(32),
            ),
            DropInSession(  # c: hosts a drop-in on Thursday morning
                title="Zotero",
                library=world.library,
                starts_at=at(3, 8),
                ends_at=at(3, 12),
                hosts=[c],
            ),
            RosterPreference(person=a, starts_at=at(4, 8), ends_at=at(4, 12), weight=5),
            Assignment(shift_id=shifts[0].id, person_id=c.id, pinned=True),
        ]
    )
    db.session.commit()
    world.shifts = shifts
    return world


def stored(db, period) -> set[tuple[int, int]]:
    db.session.rollback()
    return {
        (a.shift_id, a.person_id)
        for a in db.session.scalars(
            select(Assignment).join(Shift).where(Shift.period_id == period.id)
        )
    }


def test_a_generated_roster_passes_the_checker(app, db, week, tmp_path):
    run = start_run(db.session, week.period, time_limit=10, actor=acting_admin())
    db.session.commit()
    assert run_pending(app) == 1
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    state = run_state(run)
    assert state["outcome"] == "solved", state
    assert run.status in ("OPTIMAL", "FEASIBLE")
    out = check_roster(tmp_path, run.problem, run.solution)
    assert f"objective={run.objective}" in out
    # What is stored in the database is exactly the solution.
    built_ids = {a["shift"]: int(a["shift"][1:]) for a in run.solution["assignments"]}
    assert stored(db, week.period) == {
        (built_ids[a["shift"]], int(a["staff"][1:])) for a in run.solution["assignments"]
    }
    a, b, c = week.people
    by_day = {s.id: (s.starts_at - at(0, 0)).days for s in week.shifts}
    rows = stored(db, week.period)
    assert (week.shifts[0].id, c.id) in rows  # the pin held
    assert not any(p == a.id and by_day[s] == 1 for s, p in rows)  # a was away Tuesday
    wednesday_early = week.shifts[6].id
    assert (wednesday_early, b.id) not in rows  # b had an appointment
    thursday = {s.id for s in week.shifts[9:12] if s.service_point_id == week.desk.id}
    assert not any(p == c.id and s in thursday for s, p in rows)  # c hosted a drop-in
    assert state["progress"] == 1.0
    assert state["objective"] == run.objective


def test_a_resolve_keeps_the_roster_and_passes_the_checker(app, db, week, tmp_path):
    start_run(db.session, week.period, time_limit=10, actor=acting_admin())
    db.session.commit()
    run_pending(app)
    before = stored(db, week.period)
    run = start_run(
        db.session, week.period, kind=RunKind.RESOLVE, time_limit=10, actor=acting_admin()
    )
    db.session.commit()
    run_pending(app)
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    assert len(run.problem["previous"]) == len(before)
    check_roster(tmp_path, run.problem, run.solution)
    assert run.solution["terms"].get("change", 0) == 0  # nothing needed to move
    assert stored(db, week.period) == before


def test_an_impossible_roster_is_explained(app, db, week) -> None:
    week.shifts[3].min_staff = week.shifts[3].max_staff = 4  # only three people exist
    db.session.commit()
    run = start_run(db.session, week.period, time_limit=10, actor=acting_admin())
    db.session.commit()
    run_pending(app)
    db.session.rollback()
    state = run_state(db.session.get(RosterRun, run.id))
    assert state["outcome"] in ("infeasible", "input_error"), state
    assert state["explanation"], state
    assert stored(db, week.period) == {(week.shifts[0].id, week.people[2].id)}  # only the pin


def test_a_point_upstairs_is_a_setup_error(app, db, week) -> None:
    week.back.ground_floor = False
    db.session.commit()
    run = start_run(db.session, week.period, time_limit=10, actor=acting_admin())
    db.session.commit()
    run_pending(app)
    db.session.rollback()
    state = run_state(db.session.get(RosterRun, run.id))
    assert state["outcome"] == "input_error", state
    assert state["state"] == "failed"
    assert "ground floor" in state["explanation"][0]
    assert stored(db, week.period) == {(week.shifts[0].id, week.people[2].id)}
