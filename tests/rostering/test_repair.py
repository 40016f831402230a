"""Sick-day repair: absence stored, the person's shifts out, a REPAIR run that keeps the rest."""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import date, datetime, time, timedelta
from time import monotonic

import pytest
from sqlalchemy import func, select

from scheduler.errors import InputError
from scheduler.models import (
    Absence,
    AbsenceKind,
    Assignment,
    JobState,
    RosterRun,
    RunKind,
    Shift,
)
from scheduler.rostering.problem import build_problem, shift_key, staff_key
from scheduler.rostering.publish import compare, publish
from scheduler.rostering.repair import day_ranges, start_repair
from scheduler.rostering.runs import RunError
from tests.factories import acting_admin
from tests.rostering.review_data import MONDAY, make_roster, running_job

WEEKDAYS = [MONDAY + timedelta(days=i) for i in range(5)]


@pytest.fixture
def roster(db, create_library, create_person):
    return make_roster(db, create_library, create_person)


@pytest.fixture
def published(db, roster):
    publish(db.session, roster.period, actor=roster.leader)
    return roster


def test_day_ranges() -> None:
    d = date(2027, 1, 4)
    days = [d, d + timedelta(1), d + timedelta(2), d + timedelta(5)]
    assert day_ranges(days) == [(d, d + timedelta(2)), (d + timedelta(5), d + timedelta(5))]


def test_repair_marks_absent_and_queues_a_repair_run(db, published) -> None:
    roster = published
    started = start_repair(
        db.session,
        roster.period,
        person=roster.cai,
        days=WEEKDAYS,
        actor=roster.leader,
        note="flu",
        time_limit=5,
    )
    assert started.removed == 2
    (absence,) = started.absences
    assert absence.kind == AbsenceKind.SICK
    assert absence.note == "flu"
    assert started.run.kind == RunKind.REPAIR
    assert started.run.job.state == JobState.QUEUED
    assert not db.session.scalars(
        select(Assignment).where(Assignment.person_id == roster.cai.id)
    ).all()
    # The re-solve starts from what staff were told, so the change term keeps it.
    built = build_problem(db.session, roster.period, kind=RunKind.REPAIR)
    previous = {(a.shift, a.staff) for a in built.problem.previous}
    assert (shift_key(roster.shifts["desk-mon-08"].id), staff_key(roster.anna.id)) in previous
    assert (shift_key(roster.shifts["desk-wed-08"].id), staff_key(roster.cai.id)) in previous
    cai = next(s for s in built.problem.staff if s.id == staff_key(roster.cai.id))
    wednesday = datetime(2027, 1, 6, 8, 0)
    assert any(u.start <= wednesday < u.end for u in cai.unavailable)
    # Before the run, the diff shows what the absence took away.
    diff = compare(db.session, roster.period)
    assert diff.counts == {"added": 0, "removed": 2, "moved": 0, "kept": 4}


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([], "days: choose at least one day"),
        ([date(2027, 2, 1)], "days: 2027-02-01 is outside this roster"),
        ([date(2027, 1, 9)], "days: Cai has no shift on those days"),
    ],
)
def test_bad_repairs_change_nothing(db, published, days, message) -> None:
    roster = published
    with pytest.raises(InputError, match=message):
        start_repair(db.session, roster.period, person=roster.cai, days=days, actor=acting_admin())
    assert db.session.scalar(select(func.count()).select_from(RosterRun)) == 0
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 1  # the fixture's


def test_a_draft_is_edited_not_repaired(db, roster) -> None:
    with pytest.raises(InputError, match="period: is not published yet"):
        start_repair(
            db.session, roster.period, person=roster.cai, days=WEEKDAYS, actor=acting_admin()
        )


def test_not_while_a_run_is_active(db, published) -> None:
    running_job(db, published.period)
    with pytest.raises(RunError):
        start_repair(
            db.session, published.period, person=published.cai, days=WEEKDAYS, actor=acting_admin()
        )
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 1


def _has_solver() -> bool:
    if importlib.util.find_spec("scheduler.solver.solve") is None:
        return False
    import scheduler.solver

    return hasattr(scheduler.solver, "solve")


HAS_SOLVER = _has_solver()


def keep_previous(problem):
    """A scripted repair: keep every previous assignment still possible, fill the gaps."""
    from scheduler.solver import problem as sp
    from scheduler.solver.check import check, timeline_for

    tl = timeline_for(problem)
    out = list(problem.pinned)
    for a in problem.previous:
        if a not in out and tl.unavailable_reason(a.staff, a.shift) is None:
            out.append(a)
    for shift in problem.shifts:
        for person in problem.staff:
            if sum(1 for a in out if a.shift == shift.id) >= shift.min_staff:
                break
            candidate = sp.Assignment(shift.id, person.id)
            if candidate in out:
                continue
            broken = {
                v.rule
                for v in check(problem, [*out, candidate]).violations
                if v.staff == person.id and v.rule != "H6"
            }
            if not broken:
                out.append(candidate)
    return out


def test_repair_flow_to_publish_tells_only_those_affected(app, db, published, fake_engine):
    """Repair, run (a scripted engine that keeps what it can), diff, publish, e-mails."""
    from scheduler.jobs.runner import run_pending
    from scheduler.models import OutboundEmail

    roster = published
    fake_engine.assign = keep_previous
    sent = db.session.scalar(select(func.count()).select_from(OutboundEmail))
    start_repair(db.session, roster.period, person=roster.cai, days=WEEKDAYS, actor=acting_admin())
    db.session.commit()
    assert run_pending(app) >= 1
    db.session.rollback()
    (problem,) = fake_engine.problems
    assert problem.rules.allow_understaffing  # a repair may leave a shift short
    diff = compare(db.session, roster.period)
    changed = diff.by_person()
    assert [c.kind for c in changed.pop(roster.cai.id)] == ["removed", "removed"]
    ((helper, (change,)),) = changed.items()
    assert helper in (roster.anna.id, roster.bo.id)
    assert change.kind == "added"
    assert change.new[1] == roster.shifts["desk-wed-08"].starts_at
    result = publish(db.session, roster.period, actor=acting_admin())
    assert sorted(result.notified) == sorted([roster.cai.id, helper])
    after = db.session.scalar(select(func.count()).select_from(OutboundEmail))
    assert after - sent == 2


@pytest.mark.skipif(not HAS_SOLVER, reason="the CP-SAT engine (scheduler.solver.solve) is absent")
def test_repair_with_the_solver_moves_as_little_as_possible(app, db, published) -> None:
    from scheduler.jobs.runner import run_job

    roster = published
    started = start_repair(
        db.session,
        roster.period,
        person=roster.cai,
        days=WEEKDAYS,
        actor=acting_admin(),
        time_limit=5,
    )
    db.session.commit()
    run_job(app, started.run.job_id)
    db.session.rollback()  # leave the test's read snapshot to see what the job stored
    run = db.session.get(RosterRun, started.run.id)
    assert run.status in ("OPTIMAL", "FEASIBLE"), run.solution
    diff = compare(db.session, roster.period)
    changed = diff.by_person()
    # Cai's two shifts go; someone covers Wednesday 08-10 (Wed 10-12 may stay empty);
    # Anna's and Bo's published shifts all stay where they were.
    assert [c.kind for c in changed[roster.cai.id]] == ["removed", "removed"]
    kept = {c.person_id for c in diff.of_kind("kept")}
    assert kept == {roster.anna.id, roster.bo.id}
    assert len(diff.of_kind("kept")) == 4
    added = diff.of_kind("added") + diff.of_kind("moved")
    assert {c.new[1] for c in added} >= {roster.shifts["desk-wed-08"].starts_at}


def weeks_roster(db, create_library, create_person, weeks: int):
    """A main library: desk (2 people) and back office (1) on weekdays, 10 staff."""
    from scheduler.models import Channel, Role, RosterPeriod, ServicePoint, Shift
    from scheduler.timeutil import local_to_utc

    lib = create_library(name="Main library", timezone="Europe/Oslo")
    desk = ServicePoint(library=lib, name="Information desk", channel=Channel.DESK)
    back = ServicePoint(library=lib, name="Back office", channel=Channel.BACK_OFFICE)
    db.session.add_all([desk, back])
    people = [
        create_person(
            Role.FIRST_LINE,
            name=f"Staff {i}",
            skills=["desk"],
            libraries=[lib],
            min_hours_per_week=4,
            max_hours_per_week=16,
            target_hours_per_week=12,
        )
        for i in range(10)
    ]
    period = RosterPeriod(library=lib, start_date=MONDAY, weeks=weeks)
    db.session.add(period)
    blocks = [  # (point, start hour, hours, people)
        (desk, 8, 2, 2), (desk, 10, 2, 2), (desk, 12, 2, 2), (desk, 14, 2, 2),
        (back, 9, 2, 1), (back, 11, 2, 1), (back, 13, 2, 1),
    ]  # fmt: skip
    for day in range(7 * weeks):
        d = MONDAY + timedelta(days=day)
        if d.weekday() >= 5:
            continue
        for point, hour, hours, n in blocks:
            db.session.add(
                Shift(
                    period=period,
                    service_point=point,
                    starts_at=local_to_utc(d, time(hour), "Europe/Oslo"),
                    ends_at=local_to_utc(d, time(hour + hours), "Europe/Oslo"),
                    min_staff=n,
                    max_staff=n,
                    skills="desk" if point is desk else "",
                )
            )
    db.session.flush()
    return period, people


@pytest.mark.slow
@pytest.mark.skipif(not HAS_SOLVER, reason="the CP-SAT engine (scheduler.solver.solve) is absent")
@pytest.mark.parametrize("weeks", [1, 4])
def test_generate_publish_repair(app, db, create_library, create_person, weeks) -> None:
    """Generate and publish a roster, then one person is ill for a day: repair.

    Exactly the absent person's shifts that day change hands: each gets one new person
    and every other published assignment stays where it was (the repair solves only
    the affected day, with the rest of the roster pinned).
    """
    from scheduler.jobs.runner import run_job
    from scheduler.models import PublishedShift
    from scheduler.rostering.runs import start_run
    from scheduler.timeutil import to_local

    period, _people = weeks_roster(db, create_library, create_person, weeks)
    run = start_run(db.session, period, time_limit=5 if weeks > 1 else 3, actor=acting_admin())
    db.session.commit()
    run_job(app, run.job_id)
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    assert run.status in ("OPTIMAL", "FEASIBLE"), run.solution.get("explanation")
    publish(db.session, period, actor=acting_admin())
    db.session.commit()
    tz = period.library.timezone
    sick_day = period.start_date + timedelta(days=9 if weeks > 1 else 2)  # a Wednesday
    rows = list(
        db.session.scalars(
            select(PublishedShift)
            .where(PublishedShift.period_id == period.id)
            .order_by(PublishedShift.starts_at, PublishedShift.id)
        )
    )
    person = next(r for r in rows if to_local(r.starts_at, tz).date() == sick_day).person
    published = {(r.service_point_id, r.starts_at, r.person_id) for r in rows}
    theirs = {p for p in published if p[2] == person.id and to_local(p[1], tz).date() == sick_day}
    # A short generation on a busy machine may leave a seat open; the repair may fill it
    # but must not leave any other seat open.
    heads = Counter((r.service_point_id, r.starts_at) for r in rows)
    period_shifts = list(db.session.scalars(select(Shift).where(Shift.period_id == period.id)))
    short_before = {
        (sh.service_point_id, sh.starts_at)
        for sh in period_shifts
        if heads[(sh.service_point_id, sh.starts_at)] < sh.min_staff
    }
    started = start_repair(
        db.session, period, person=person, days=[sick_day], actor=acting_admin(), time_limit=5
    )
    assert started.removed == len(theirs) >= 1
    db.session.commit()
    t0 = monotonic()
    run_job(app, started.run.job_id)
    seconds = monotonic() - t0
    db.session.rollback()
    run = db.session.get(RosterRun, started.run.id)
    assert run.status in ("OPTIMAL", "FEASIBLE"), run.solution.get("explanation")
    assert run.solution["repair_scope"] == "days", run.solution.get("repair_tried")
    by_id = {shift_key(sh.id): (sh.service_point_id, sh.starts_at) for sh in period_shifts}
    short_after = {by_id.get(u["shift"], u["shift"]) for u in run.solution["uncovered"]}
    assert short_after <= short_before
    now = {
        (a.shift.service_point_id, a.shift.starts_at, a.person_id)
        for a in db.session.scalars(
            select(Assignment).join(Shift).where(Shift.period_id == period.id)
        )
    }
    assert published - now == theirs  # only the sick person's shifts that day went
    added = now - published
    # ... and each went to exactly one other person (the fixture's shifts are all full);
    # any other seat filled was one the generated roster had left open.
    seats = Counter((p[0], p[1]) for p in added)
    for seat in {(p[0], p[1]) for p in theirs}:
        assert seats[seat] >= 1
    extra = seats - Counter((p[0], p[1]) for p in theirs)
    assert set(extra) <= short_before
    assert all(p[2] != person.id for p in added)
    diff = compare(db.session, period)
    assert len(diff.of_kind("kept")) == len(published) - len(theirs)
    assert seconds < 5, seconds  # the one-day neighbourhood solves in well under a second
