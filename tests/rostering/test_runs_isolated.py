"""A roster run as production runs it: the solver in a child process, ten steps nicer."""

from __future__ import annotations

import logging
import os
import re

import pytest

from scheduler.jobs.runner import run_pending
from scheduler.models import RosterRun
from scheduler.rostering.runs import run_state, start_run
from tests.conftest import check_roster
from tests.factories import acting_admin
from tests.rostering.test_runs_engine import week  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


def test_the_solver_runs_in_a_lower_priority_child(app, db, week, tmp_path, caplog):  # noqa: F811
    app.config.update(SOLVER_ISOLATED=True, SOLVER_NICE=10)
    caplog.set_level(logging.INFO, logger="scheduler.rostering.runs")
    run = start_run(db.session, week.period, time_limit=10, actor=acting_admin())
    db.session.commit()
    assert run_pending(app) == 1
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    assert run_state(run)["outcome"] == "solved"
    check_roster(tmp_path, run.problem, run.solution)
    (line,) = [
        r.getMessage() for r in caplog.records if "roster solved in process" in r.getMessage()
    ]
    pid, nice = map(int, re.findall(r"-?\d+", line))
    assert pid != os.getpid()
    assert nice == min(19, os.nice(0) + 10)
