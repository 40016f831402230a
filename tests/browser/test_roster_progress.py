# ruff: noqa: F811  (pytest fixtures imported from tests.rostering.helpers)
"""A section leader watches the solver's progress bar move, live, in a real browser."""

from __future__ import annotations

import threading
import time

import pyotp
from sqlalchemy import select

from scheduler.jobs.runner import run_job
from scheduler.models import Person, RosterRun
from tests.factories import TEST_PASSWORD, enrol_second_factor
from tests.rostering.helpers import fake_engine, make_shift, world  # noqa: F401


def test_the_progress_page_updates_itself(
    page, app, db, world, fake_engine, create_person, live_server
) -> None:
    from scheduler.models import Role

    leader: Person = create_person(
        Role.SECTION_LEADER, email="leader@uni.example", libraries=[world.library]
    )
    secret = enrol_second_factor(db.session, leader)  # a leader signs in with a code too
    db.session.commit()
    fake_engine.steps = [(900, 100), (700, 300)]
    fake_engine.hold.clear()

    page.goto(f"{live_server}/sign-in")
    page.fill("input[name=email]", leader.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server}/staff/roster/periods/{world.period.id}/runs")
    with page.expect_navigation():
        page.click("text=Start the solver")
    assert page.inner_text("h1") == "Solver progress"
    assert page.locator("progress#run-bar").count() == 1

    db.session.rollback()
    run = db.session.scalars(select(RosterRun)).one()
    worker = threading.Thread(target=run_job, args=(app, run.job_id), daemon=True)
    worker.start()
    try:
        # The script polls the JSON state and fills in the figures without a reload.
        # (polled from here: the page's CSP forbids evaluating strings as script)
        deadline = time.monotonic() + 15
        while page.inner_text("[data-field=objective]").strip() != "700":
            assert time.monotonic() < deadline, "the objective was never shown"
            page.wait_for_timeout(200)
        assert page.inner_text("[data-field=bound]") == "300"
        assert 0 < float(page.get_attribute("progress#run-bar", "value") or 0) < 100
    finally:
        fake_engine.hold.set()
        worker.join(15)
    # When the run ends, the page shows the result and the way to the review.
    page.wait_for_selector("text=Roster ready", timeout=15000)
    assert page.locator(f'a[href="/staff/roster/periods/{world.period.id}"]').count() >= 1
