# ruff: noqa: F811  (pytest fixtures imported from tests.rostering.helpers)
"""Roster period and solver run pages: section leaders only, bad input, live progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.jobs.runner import run_pending
from scheduler.models import (
    Job,
    JobState,
    PeriodStatus,
    Role,
    RosterPeriod,
    RosterRun,
)
from tests.factories import acting_admin
from tests.rostering.helpers import MONDAY, fake_engine, make_shift, world  # noqa: F401


@pytest.fixture(autouse=True)
def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def leader(create_person, login, world):
    person = create_person(Role.SECTION_LEADER, name="Sigrid Leader", libraries=[world.library])
    login(person)
    return person


def count(db, model) -> int:
    db.session.commit()  # keep what the test arranged; read a fresh snapshot
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.FIRST_LINE])
def test_only_section_leaders_get_in(client, db, world, create_person, login, role) -> None:
    login(create_person(role))
    run_urls = [
        "/staff/roster/periods",
        f"/staff/roster/periods/{world.period.id}/runs",
    ]
    for url in run_urls:
        assert client.get(url).status_code == 403, url
    assert client.post("/staff/roster/periods", data={}).status_code == 403
    assert client.post(f"/staff/roster/periods/{world.period.id}/runs").status_code == 403
    assert count(db, RosterRun) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, world) -> None:
    response = client.get("/staff/roster/periods")
    assert response.status_code == 302
    assert "sign-in" in response.headers["Location"] or "login" in response.headers["Location"]


def test_run_pages_are_for_section_leaders_only(
    app, client, db, world, fake_engine, create_person, login
) -> None:
    from scheduler.rostering.runs import start_run

    run = start_run(db.session, world.period, actor=acting_admin())
    db.session.commit()
    login(create_person(Role.FIRST_LINE))
    for url in (f"/staff/roster/runs/{run.id}", f"/staff/roster/runs/{run.id}/state.json"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/roster/runs/{run.id}/stop").status_code == 403
    db.session.rollback()
    assert db.session.get(Job, run.job_id).cancel_requested is False


def test_periods_page_lists_periods_and_offers_the_form(client, db, world, leader) -> None:
    html = client.get("/staff/roster/periods").get_data(as_text=True)
    assert "<h1>Rosters</h1>" in html
    assert world.library.name in html
    assert 'type="date"' in html
    assert f"/staff/roster/periods/{world.period.id}/runs" in html


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"start": (MONDAY + timedelta(days=1)).isoformat(), "weeks": "4"}, "start", "Monday"),
        ({"start": MONDAY.isoformat(), "weeks": "0"}, "weeks", "between 1 and 26"),
        ({"start": MONDAY.isoformat(), "weeks": "1.5"}, "weeks", "whole number"),
        ({"start": "next week", "weeks": "4"}, "start", "is not a date like 2027-01-05"),
        ({"start": MONDAY.isoformat(), "weeks": "4", "library_id": "999"}, "library_id", "library"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(
    client, db, world, leader, form, field, reason
) -> None:
    form = {"library_id": str(world.library.id), **form}
    before = count(db, RosterPeriod)
    response = client.post("/staff/roster/periods", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="period-{field}-error"' in html
    assert reason in html
    assert count(db, RosterPeriod) == before


def test_a_period_overlapping_a_published_roster_is_refused(client, db, world, leader) -> None:
    world.period.status = PeriodStatus.PUBLISHED
    db.session.commit()
    form = {
        "library_id": str(world.library.id),
        "start": (MONDAY - timedelta(days=7)).isoformat(),
        "weeks": "2",
    }
    response = client.post("/staff/roster/periods", data=form)
    assert response.status_code == 422
    assert "overlaps the published roster from 2027-01-04 to 2027-01-10" in response.get_data(
        as_text=True
    )
    assert count(db, RosterPeriod) == 1


def test_norwegian_reason(client, db, world, leader) -> None:
    form = {"library_id": str(world.library.id), "start": "2027-01-05", "weeks": "4"}
    response = client.post("/staff/roster/periods", data=form, headers={"Accept-Language": "nb"})
    assert "må være en mandag" in response.get_data(as_text=True)


def test_generate_shows_progress_and_the_result(app, client, db, world, fake_engine, leader):
    response = client.post(
        f"/staff/roster/periods/{world.period.id}/runs", data={"time_limit": "5"}
    )
    assert response.status_code == 303
    progress_url = response.headers["Location"]
    run = db.session.scalars(select(RosterRun)).one()
    assert progress_url.endswith(f"/staff/roster/runs/{run.id}")
    html = client.get(progress_url).get_data(as_text=True)
    assert "<progress" in html
    assert 'http-equiv="refresh"' in html  # works without JavaScript
    assert "roster_progress.js" in html
    assert "Stop and keep the best roster" in html
    state = client.get(f"/staff/roster/runs/{run.id}/state.json").get_json()
    assert state["state"] == "queued"
    assert state["finished"] is False

    run_pending(app)
    state = client.get(f"/staff/roster/runs/{run.id}/state.json").get_json()
    assert state["state"] == "done"
    assert state["outcome"] == "solved"
    assert state["objective"] == 20
    assert state["review_url"] == f"/staff/roster/periods/{world.period.id}"
    html = client.get(progress_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html
    assert f'href="/staff/roster/periods/{world.period.id}"' in html
    assert "Roster ready" in html


def test_generate_sends_the_solver_settings_with_the_job(
    app, client, db, world, fake_engine, leader
) -> None:
    app.config.update(SOLVER_WORKERS=3, ROSTER_RULES={"min_break_minutes": 30})
    client.post(f"/staff/roster/periods/{world.period.id}/runs", data={"time_limit": "7"})
    run = db.session.scalars(select(RosterRun)).one()
    assert run.job.payload["time_limit"] == 7
    assert run.job.payload["workers"] == 3
    assert run.job.payload["rules"] == {"min_break_minutes": 30}
    run_pending(app)
    assert fake_engine.problems[0].rules.min_break_minutes == 30


def test_a_second_generate_is_refused_while_one_runs(client, db, world, fake_engine, leader):
    url = f"/staff/roster/periods/{world.period.id}/runs"
    assert client.post(url, data={"time_limit": "5"}).status_code == 303
    response = client.post(url, data={"time_limit": "5"})
    assert response.status_code == 409
    assert "already queued or running" in response.get_data(as_text=True)
    assert count(db, RosterRun) == 1


def test_a_bad_time_limit_is_refused(client, db, world, fake_engine, leader) -> None:
    url = f"/staff/roster/periods/{world.period.id}/runs"
    assert client.post(url, data={"time_limit": "soon"}).status_code == 422
    assert client.post(url, data={"time_limit": "0"}).status_code == 409
    assert count(db, RosterRun) == 0


def test_stop_button_stops_a_queued_run(app, client, db, world, fake_engine, leader) -> None:
    client.post(f"/staff/roster/periods/{world.period.id}/runs", data={"time_limit": "5"})
    run = db.session.scalars(select(RosterRun)).one()
    response = client.post(f"/staff/roster/runs/{run.id}/stop")
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Job, run.job_id).state == JobState.CANCELLED
    html = client.get(f"/staff/roster/runs/{run.id}").get_data(as_text=True)
    assert "stopped before it found any roster" in html


def test_an_infeasible_run_explains_and_links_to_the_setup(
    app, client, db, world, fake_engine, leader
) -> None:
    fake_engine.status = "INFEASIBLE"
    client.post(f"/staff/roster/periods/{world.period.id}/runs", data={"time_limit": "5"})
    run_pending(app)
    run = db.session.scalars(select(RosterRun)).one()
    html = client.get(f"/staff/roster/runs/{run.id}").get_data(as_text=True)
    assert "No roster possible" in html
    assert "Not enough staff on Monday." in html
    assert f'href="/leader/setup/{world.library.id}/demand"' in html
    assert f'href="/leader/setup/{world.library.id}/pool"' in html


def test_the_stop_link_asks_first(client, db, world, fake_engine, leader) -> None:
    client.post(f"/staff/roster/periods/{world.period.id}/runs", data={"time_limit": "5"})
    run = db.session.scalars(select(RosterRun)).one()
    html = client.get(f"/staff/roster/runs/{run.id}/stop").get_data(as_text=True)
    assert f'action="/staff/roster/runs/{run.id}/stop"' in html
    db.session.rollback()
    assert db.session.get(Job, run.job_id).state == JobState.QUEUED  # a GET stops nothing


def test_unknown_periods_and_runs_are_404(client, world, leader) -> None:
    assert client.get("/staff/roster/periods/999/runs").status_code == 404
    assert client.post("/staff/roster/periods/999/runs").status_code == 404
    assert client.get("/staff/roster/runs/999").status_code == 404
    assert client.get("/staff/roster/runs/999/state.json").status_code == 404
    assert client.post("/staff/roster/runs/999/stop").status_code == 404
