"""With the demo data, a 4-week roster for the main library can be generated.

Runs the real solver for 15 seconds, so it is marked slow and runs on SQLite only
(the PostgreSQL mapping is covered by the fast tests). Covers a period with holidays.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from scheduler import demo
from scheduler.jobs.runner import run_pending
from scheduler.models import Assignment, Library, RosterRun
from scheduler.rostering.periods import create_period
from scheduler.rostering.runs import run_state, start_run
from tests.conftest import check_roster
from tests.factories import acting_admin
from tests.rostering.helpers import real_engine


@pytest.mark.slow
def test_the_demo_main_library_gets_a_4_week_roster(app, db, tmp_path) -> None:
    real_engine()
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the demo roster is solved once, on SQLite")
    today = date(2026, 12, 4)  # the period runs over Christmas and New Year
    demo.seed_demo(db.session, today=today, password="demo-password-1")
    main = db.session.scalar(select(Library).where(Library.slug == "main"))
    period = create_period(db.session, main, date(2026, 12, 7), 4, acting_admin())
    run = start_run(db.session, period, time_limit=15, actor=acting_admin())
    db.session.commit()
    assert run_pending(app) == 1
    db.session.rollback()
    run = db.session.get(RosterRun, run.id)
    state = run_state(run)
    assert state["outcome"] == "solved", state
    assert run.solution["uncovered"] == []
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == len(
        run.solution["assignments"]
    )
    check_roster(tmp_path, run.problem, run.solution)
