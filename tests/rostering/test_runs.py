"""Solver runs as jobs: queued, running with progress, done, failed, cancelled, lost.

The solver here is scripted (``fake_engine``) so that a test can hold a run in the
middle, fail it or stop it; tests with the real engine live in test_runs_engine.py.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from sqlalchemy import select

from scheduler.database import _read_only
from scheduler.jobs.runner import claim, run_job, run_pending
from scheduler.jobs.sweeper import sweep_lost_jobs
from scheduler.models import Assignment, Job, JobState, Role, RosterRun, RunKind, Shift
from scheduler.rostering import runs
from scheduler.rostering.runs import (
    RunError,
    SolverSettings,
    assert_not_running,
    run_state,
    start_run,
    stop_run,
)
from tests.factories import acting_admin


def assignments(db, period) -> set[tuple[int, int, bool]]:
    db.session.rollback()  # a fresh snapshot: the job wrote in its own transactions
    return {
        (a.shift_id, a.person_id, a.pinned)
        for a in db.session.scalars(
            select(Assignment).join(Shift).where(Shift.period_id == period.id)
        )
    }


def queue(db, world, **kw) -> RosterRun:
    kw.setdefault("actor", acting_admin())
    run = start_run(db.session, world.period, **kw)
    db.session.commit()
    return run


def in_thread(app, job_id: int) -> threading.Thread:
    t = threading.Thread(target=run_job, args=(app, job_id), daemon=True)
    t.start()
    return t


def wait_for(db, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_a_new_run_is_queued(db, world, fake_engine) -> None:
    leader = world.people[0]
    leader.grant(Role.SECTION_LEADER, world.library)
    run = queue(db, world, actor=leader, time_limit=5)
    job = run.job
    assert job.kind == runs.JOB_KIND
    assert job.state == JobState.QUEUED
    assert job.dedupe_key == f"roster:period:{world.period.id}"
    assert job.payload["run_id"] == run.id
    assert job.payload["time_limit"] == 5
    assert run.kind == RunKind.GENERATE
    assert run.created_by_id == leader.id
    state = run_state(run)
    assert state["state"] == "queued"
    assert state["finished"] is False
    assert state["outcome"] is None
    assert fake_engine.problems == []  # nothing runs before a worker takes it


def test_a_run_solves_and_replaces_the_unpinned_assignments(app, db, world, fake_engine) -> None:
    a, _, c = world.people
    s1, s2, s3 = world.shifts
    db.session.add_all(
        [
            Assignment(shift_id=s1.id, person_id=c.id, pinned=True),
            Assignment(shift_id=s2.id, person_id=c.id),  # replaced by the solver's choice
        ]
    )
    db.session.commit()
    run = queue(db, world)
    assert run_pending(app) == 1
    db.session.rollback()
    job = db.session.get(Job, run.job_id)
    assert job.state == JobState.DONE
    assert job.progress == 1.0
    run = db.session.get(RosterRun, run.id)
    assert run.status == "OPTIMAL"
    assert run.objective == 20
    assert run.bound == 20
    assert run.applied_at is not None
    assert run.problem["shifts"][0]["id"] == f"s{s1.id}"
    assert run.solution["status"] == "OPTIMAL"
    assert assignments(db, world.period) == {
        (s1.id, c.id, True),  # the pin holds
        (s2.id, a.id, False),
        (s3.id, a.id, False),
    }
    state = run_state(run)
    assert state["state"] == "done"
    assert state["outcome"] == "solved"
    assert state["applied"] is True
    assert state["progress"] == 1.0


def test_progress_is_visible_while_the_solver_runs(app, db, world, fake_engine) -> None:
    fake_engine.steps = [(900, 100), (700, 300)]
    fake_engine.hold.clear()
    run = queue(db, world, time_limit=60)
    worker = in_thread(app, run.job_id)
    try:
        assert fake_engine.started.wait(10)
        wait_for(db, lambda: run_state(db.session.get(RosterRun, run.id))["objective"] == 700)
        state = run_state(db.session.get(RosterRun, run.id))
        assert state["state"] == "running"
        assert state["bound"] == 300
        assert 0 < state["progress"] < 1
        assert state["finished"] is False
        assert assignments(db, world.period) == set()  # nothing written mid-run
        with pytest.raises(RunError):
            assert_not_running(db.session.get(RosterRun, run.id).period)
    finally:
        fake_engine.hold.set()
        worker.join(10)
    db.session.rollback()
    assert run_state(db.session.get(RosterRun, run.id))["outcome"] == "solved"
    assert_not_running(world.period)  # finished: editing is allowed again


def test_stop_keeps_the_best_roster_so_far(app, db, world, fake_engine) -> None:
    fake_engine.hold.clear()  # the scripted solver waits until stopped
    run = queue(db, world)
    worker = in_thread(app, run.job_id)
    assert fake_engine.started.wait(10)
    wait_for(db, lambda: db.session.get(Job, run.job_id).state == JobState.RUNNING)
    db.session.rollback()
    token = _read_only.set(False)  # a write transaction from the start, as a POST has
    try:
        assert stop_run(db.session, db.session.get(RosterRun, run.id), actor=acting_admin()) is True
        db.session.commit()
    finally:
        _read_only.reset(token)
    worker.join(10)
    assert not worker.is_alive()
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    assert run.job.state == JobState.CANCELLED
    assert run.status == "FEASIBLE"
    assert run.applied_at is not None
    assert run_state(run)["outcome"] == "stopped"
    assert len(assignments(db, world.period)) == 3


def test_stopping_a_queued_run_cancels_it_at_once(app, db, world, fake_engine) -> None:
    run = queue(db, world)
    assert stop_run(db.session, run, actor=acting_admin()) is True
    db.session.commit()
    assert run_pending(app) == 0
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    assert run.job.state == JobState.CANCELLED
    assert run_state(run)["outcome"] == "cancelled"
    assert fake_engine.problems == []
    assert stop_run(db.session, run, actor=acting_admin()) is False  # already over
    queue(db, world)  # the period is free again


def test_a_failing_solver_fails_the_run_and_changes_nothing(app, db, world, fake_engine) -> None:
    db.session.add(Assignment(shift_id=world.shifts[0].id, person_id=world.people[2].id))
    db.session.commit()
    before = assignments(db, world.period)
    fake_engine.raise_error = "boom"
    run = queue(db, world)
    run_pending(app)
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    state = run_state(run)
    assert state["state"] == "failed"
    assert state["outcome"] == "failed"
    assert "boom" in state["error"]
    assert assignments(db, world.period) == before


def test_an_input_error_is_shown_in_plain_words(app, db, world, fake_engine) -> None:
    fake_engine.raise_input_error = "'Reading room' is not on the ground floor"
    run = queue(db, world)
    run_pending(app)
    db.session.rollback()
    state = run_state(db.session.get(RosterRun, run.id))
    assert state["state"] == "failed"
    assert state["outcome"] == "input_error"
    assert state["explanation"] == [
        "shifts[0].service_point: 'Reading room' is not on the ground floor"
    ]


@pytest.mark.parametrize(
    ("status", "outcome"), [("INFEASIBLE", "infeasible"), ("UNKNOWN", "no_solution")]
)
def test_no_roster_keeps_the_old_one_and_explains(
    app, db, world, fake_engine, status, outcome
) -> None:
    db.session.add(Assignment(shift_id=world.shifts[0].id, person_id=world.people[2].id))
    db.session.commit()
    before = assignments(db, world.period)
    fake_engine.status = status
    run = queue(db, world)
    run_pending(app)
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    state = run_state(run)
    assert state["state"] == "done"
    assert state["outcome"] == outcome
    assert state["applied"] is False
    assert state["explanation"] == ["Not enough staff on Monday."]
    assert assignments(db, world.period) == before


def test_a_restart_mid_run_marks_the_run_failed(app, db, world, fake_engine) -> None:
    """The worker process died: the sweeper fails the job, and the period is free again."""
    run = queue(db, world)
    dead = _dead_pid()
    with app.app_context():
        assert claim(run.job_id, f"{socket.gethostname()}:{dead}:1")
    assert sweep_lost_jobs(app) == 1
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    state = run_state(run)
    assert state["state"] == "failed"
    assert state["outcome"] == "failed"
    assert "lost" in state["error"]
    assert assignments(db, world.period) == set()
    assert_not_running(run.period)
    queue(db, world)


def test_a_swept_run_never_writes_its_roster(app, db, world, fake_engine) -> None:
    """A worker that was declared lost but still finishes must not store its roster."""
    fake_engine.hold.clear()
    run = queue(db, world)
    worker = in_thread(app, run.job_id)
    assert fake_engine.started.wait(10)
    with app.app_context():
        from sqlalchemy import update

        from scheduler.extensions import db as _db

        with _db.engine.begin() as conn:
            conn.execute(
                update(Job).where(Job.id == run.job_id).values(state=JobState.FAILED, error="lost")
            )
    fake_engine.hold.set()
    worker.join(10)
    db.session.rollback()
    assert db.session.get(Job, run.job_id).state == JobState.FAILED
    assert assignments(db, world.period) == set()


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(proc.stdout)
    assert pid != os.getpid()
    return pid


def test_a_second_run_for_the_same_period_is_refused(db, world, fake_engine) -> None:
    first = queue(db, world)
    with pytest.raises(RunError, match="already queued or running"):
        start_run(db.session, world.period, actor=acting_admin())
    db.session.rollback()
    assert db.session.scalars(select(RosterRun)).all() == [first]


def test_the_database_refuses_a_second_active_job(db, world, fake_engine, monkeypatch) -> None:
    """Even if the check in Python is skipped, the unique index stops the second run."""
    queue(db, world)
    monkeypatch.setattr(runs, "active_job", lambda session, period: None)
    with pytest.raises(RunError):
        start_run(db.session, world.period, actor=acting_admin())
    db.session.rollback()
    assert len(db.session.scalars(select(RosterRun)).all()) == 1
    assert len(db.session.scalars(select(Job)).all()) == 1


def test_a_period_without_shifts_or_with_a_bad_limit_is_refused(db, world, fake_engine) -> None:
    for shift in world.shifts:
        db.session.delete(shift)
    db.session.flush()
    with pytest.raises(RunError, match="no shifts"):
        start_run(db.session, world.period, actor=acting_admin())
    with pytest.raises(RunError, match="time limit"):
        start_run(db.session, world.period, time_limit=0, actor=acting_admin())
    db.session.rollback()
    assert db.session.scalars(select(Job)).all() == []


def test_the_bar_moves_with_the_clock_between_improvements(app, db, world, fake_engine) -> None:
    from datetime import timedelta

    from scheduler.timeutil import utcnow

    run = queue(db, world, time_limit=60)
    with app.app_context():
        assert claim(run.job_id, "elsewhere:1:1")
    db.session.rollback()
    job = db.session.get(Job, run.job_id)
    job.started_at = utcnow() - timedelta(seconds=30)
    db.session.commit()
    state = run_state(db.session.get(RosterRun, run.id))
    assert state["state"] == "running"
    assert 0.49 <= state["progress"] <= 0.55
    assert 30 <= state["wall_time_s"] < 35


def test_the_roster_rules_setting_reaches_the_solver(app, db, world, fake_engine) -> None:
    app.config["ROSTER_RULES"] = {"min_break_minutes": 30, "weights": {"target": 3}}
    run = queue(db, world, settings=SolverSettings.from_config(app.config))
    assert run.job.payload["rules"] == app.config["ROSTER_RULES"]  # travels with the job
    app.config["ROSTER_RULES"] = None  # the worker needs no settings of its own
    run_pending(app)
    rules = fake_engine.problems[0].rules
    assert rules.min_break_minutes == 30
    assert rules.weights["target"] == 3
    assert rules.max_consecutive_hours == 4  # the rest stay at their defaults
