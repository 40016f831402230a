"""Four web processes share one PostgreSQL database, each with its upkeep thread looking
at the schedule twice a second: when the reminders fall due, one of them sends them,
once, and the others leave them alone."""

from __future__ import annotations

import secrets
import time
from datetime import time as clock
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from scheduler.booking.appointments import book as svc
from scheduler.models import Appointment, OutboundEmail, UpkeepRun, UpkeepTask, WorkerHeartbeat
from scheduler.timeutil import local_to_utc, utcnow
from tests.booking.appointments.helpers import site_at
from tests.test_serve import Server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

OSLO = ZoneInfo("Europe/Oslo")
PROCESSES = 4


def _reminder_subject(subject: str) -> bool:
    return subject.startswith(("Reminder", "Påminnelse"))


@pytest.fixture
def reminders_daily(schedule) -> None:
    # The reminders are the only task on; the day's run is made due by the test.
    schedule(reminders="daily 17:00")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_days_reminders_go_out_once_from_four_web_processes(
    reminders_daily, database_url, app, db, create_librarian, request_for, tmp_path
) -> None:
    librarian = create_librarian(
        windows=[(d, clock(9), clock(12)) for d in range(7)],
        min_notice_minutes=0,
        horizon_days=30,
    )
    tomorrow = utcnow().astimezone(OSLO).date() + timedelta(days=1)
    site = site_at(utcnow())
    for hour, minute in ((9, 0), (9, 45), (10, 30)):
        start = local_to_utc(tomorrow, clock(hour, minute), OSLO)
        svc.book(db.session, request_for(librarian, start), site=site)
    db.session.commit()

    secret = secrets.token_hex(16)
    servers = [
        Server(
            tmp_path / f"instance-{n}",
            extra_env={
                "SCHEDULER_DATABASE_URL": database_url,
                "SCHEDULER_SECRET_KEY": secret,
                "SCHEDULER_UPKEEP_POLL_SECONDS": "0.5",
                "SCHEDULER_UPKEEP_REMINDERS": "daily 17:00",
                "SCHEDULER_UPKEEP_PURGE": "off",
                "SCHEDULER_UPKEEP_SWEEP": "off",
                "SCHEDULER_UPKEEP_TOKENS": "off",
                "SCHEDULER_UPKEEP_CALENDARS": "off",
            },
        )
        for n in range(PROCESSES)
    ]
    try:
        for server in servers:
            server.wait_until_serving()
        _wait_for(lambda: _count(db, WorkerHeartbeat) == PROCESSES, "four heartbeats")
        _wait_for(lambda: db.session.get(UpkeepTask, "reminders") is not None, "the task row")
        db.session.rollback()
        # Make today's run due in a moment, while all four look twice a second.
        due = utcnow() + timedelta(seconds=2)
        db.session.execute(
            update(UpkeepTask).where(UpkeepTask.name == "reminders").values(next_run_at=due)
        )
        db.session.commit()
        _wait_for(lambda: _finished_runs(db) >= 1, "the reminders run")
        time.sleep(4)  # eight more looks by each process
        for server in servers:
            assert server.proc.poll() is None, server.output()
    finally:
        for server in servers:
            server.stop()

    db.session.rollback()
    runs = list(db.session.scalars(select(UpkeepRun).where(UpkeepRun.task == "reminders")))
    assert len(runs) == 1, [(r.holder, r.started_at) for r in runs]
    assert runs[0].outcome == "ok"
    assert runs[0].counts == {"reminders": 3}
    task = db.session.get(UpkeepTask, "reminders")
    assert task.lease_holder is None
    next_local = task.next_run_at.astimezone(OSLO)
    assert next_local.time() == clock(17)  # the schedule goes on: 17:00, Oslo time
    assert task.next_run_at > runs[0].started_at
    reminders = [
        e for e in db.session.scalars(select(OutboundEmail)) if _reminder_subject(e.subject)
    ]
    assert len(reminders) == 3
    assert len({e.to_address for e in reminders}) == 3
    assert all(a.reminder_sent_at is not None for a in db.session.scalars(select(Appointment)))
    # And what actually left (the outbox files of all four processes): three, once each.
    _wait_for(lambda: len(_sent_reminders(tmp_path)) >= 3, "the reminder files", seconds=5)
    sent = _sent_reminders(tmp_path)
    assert sorted(sent) == sorted(e.to_address for e in reminders)


def _count(db, model) -> int:
    db.session.rollback()
    return len(db.session.scalars(select(model)).all())


def _finished_runs(db) -> int:
    db.session.rollback()
    return len(
        db.session.scalars(
            select(UpkeepRun).where(
                UpkeepRun.task == "reminders", UpkeepRun.finished_at.is_not(None)
            )
        ).all()
    )


def _sent_reminders(tmp_path: Path) -> list[str]:
    found = []
    for path in tmp_path.glob("instance-*/outbox/*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if _reminder_subject(str(message["Subject"])):
            found.append(str(message["To"]))
    return found


def _wait_for(condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"waited {seconds} s for {what}")
