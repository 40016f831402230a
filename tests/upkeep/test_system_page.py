"""/admin/system: administrators see the upkeep's last and next runs, the job queue with
the reasons of failures, the workers' heartbeats, and what the site runs on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from scheduler.extensions import db as _db
from scheduler.models import Job, JobState, Role
from scheduler.timeutil import utcnow
from scheduler.upkeep import heartbeat
from scheduler.upkeep.runner import run_due
from scheduler.upkeep.status import masked_url
from tests.web.test_accessibility import problems


@pytest.fixture
def tokens_hourly(schedule):
    """Tokens hourly, the purge at 03:00, and the clock at midday: a test that looks an
    hour on must not cross 03:00 (one did, when CI ran at two in the morning)."""
    schedule(tokens="every 1h", purge="daily 03:00")
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=UTC), tick=True):
        yield


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").stripped_strings)


def test_administrators_see_runs_queue_workers_and_versions(
    tokens_hourly, app, db, client, login, create_person
) -> None:
    admin = create_person(Role.ADMIN)
    db.session.add_all(
        [
            Job(kind="send_email", state=JobState.QUEUED),
            Job(
                kind="solve_roster",
                state=JobState.FAILED,
                error="InfeasibleError: nobody can cover Monday\ntraceback...",
                finished_at=utcnow(),
            ),
        ]
    )
    db.session.commit()
    run_due(app, holder="web-1")  # tokens runs now; purge waits for 03:00
    heartbeat.beat(_db.engine, "web")
    login(admin)
    page = client.get("/admin/system/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = _text(page)
    assert "Expired holds and revoked tokens every 1h" in text
    assert "holds_released: 0, revoked_tokens: 0" in text
    assert "Retention purge (personal data, stored e-mails) daily 03:00 never" in text
    assert "Reminders the day before off" in text
    assert "Waiting: 1. Running: 0. Failed: 1." in text
    assert "InfeasibleError: nobody can cover Monday" in text
    assert "traceback..." not in text  # the reason, not the whole stack
    assert heartbeat.process_name() in text
    assert "web process" in text
    assert "None: each web process runs background jobs and upkeep" in text
    # Headings in order, every button labelled, tables with headers (the a11y sweep's rules).
    assert problems(page.get_data(as_text=True)) == []


def test_a_failed_run_is_recorded_with_its_reason(
    tokens_hourly, app, db, client, login, create_person, monkeypatch
) -> None:
    from scheduler.upkeep import runner
    from scheduler.upkeep.tasks import TASKS, Task

    def broken(_ctx):
        raise RuntimeError("the database said no")

    patched = tuple(Task(t.name, t.setting, broken) if t.name == "tokens" else t for t in TASKS)
    monkeypatch.setattr(runner, "TASKS", patched)
    (ran,) = run_due(app, holder="web-1")
    assert ran.outcome == "failed"
    admin = create_person(Role.ADMIN)
    login(admin)
    text = _text(client.get("/admin/system/", headers={"Accept-Language": "en"}))
    assert "failed : RuntimeError: the database said no" in text
    # The lease was handed back: the next run is an hour on, not stuck.
    assert run_due(app, holder="web-2") == []
    later = run_due(app, holder="web-2", now=utcnow() + timedelta(hours=1, minutes=1))
    assert [r.task for r in later] == ["tokens"]


def test_only_administrators(app, db, client, login, create_person, create_library) -> None:
    library = create_library()
    assert client.get("/admin/system/").status_code == 302  # to sign-in
    for role in (Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE):
        login(create_person(role, libraries=[library]))
        assert client.get("/admin/system/").status_code == 403


def test_the_use_case_refuses_non_administrators(app, db, create_person) -> None:
    from scheduler.errors import Forbidden
    from scheduler.upkeep.status import system_status

    with pytest.raises(Forbidden):
        system_status(db.session, create_person(Role.LIBRARIAN), app.config, utcnow())
    with pytest.raises(Forbidden):
        system_status(db.session, None, app.config, utcnow())


def test_passwords_are_masked() -> None:
    assert masked_url("postgresql+psycopg://sched:s3cret@db.example/lib") == (
        "postgresql+psycopg://sched:***@db.example/lib"
    )
    assert "s3cret" not in masked_url("redis://:s3cret@redis.example:6379/0")


def test_run_now_makes_the_task_due_for_the_next_look(
    tokens_hourly, app, db, client, login, create_person
) -> None:
    run_due(app, holder="web-1")  # tokens ran; next in an hour; purge waits for 03:00
    login(create_person(Role.ADMIN))
    answer = client.post("/admin/system/tasks/purge/run", headers={"Accept-Language": "en"})
    assert answer.status_code == 303
    page = _text(client.get("/admin/system/", headers={"Accept-Language": "en"}))
    assert "Retention purge (personal data, stored e-mails) will run at the next look." in page
    assert [r.task for r in run_due(app, holder="web-2")] == ["purge"]
    # A task switched off has no button, and is refused; an unknown one is not found.
    assert client.post("/admin/system/tasks/reminders/run").status_code == 422
    assert client.post("/admin/system/tasks/laundry/run").status_code == 404
    assert run_due(app, holder="web-2") == []


def test_only_administrators_run_tasks(
    tokens_hourly, app, db, client, login, create_person
) -> None:
    login(create_person(Role.SECTION_LEADER))
    assert client.post("/admin/system/tasks/purge/run").status_code == 403
    ran = run_due(app, holder="web-1")
    assert [r.task for r in ran] == ["tokens"]  # the purge was not made due
