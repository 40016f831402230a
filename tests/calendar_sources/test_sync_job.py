"""The sync as a job: one per source at a time, due sources on a schedule, the warning
e-mail once a source has failed for too long (jobs run inline, as in the other tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from scheduler.calendars.sources.manage import SourceInput, add_source
from scheduler.calendars.sources.secretbox import box_from_config
from scheduler.calendars.sources.sync_job import request_sync, sync_due_sources
from scheduler.jobs.runner import run_pending
from scheduler.models import BusyInterval, CalendarSource, Job, JobState, OutboundEmail, Role
from tests.calendar_sources import feeds
from tests.calendar_sources.conftest import Route

NOW = datetime(2027, 3, 15, 6, 30, tzinfo=UTC)  # clear of any event edge


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return app_config | {
        "CALENDARS_ALLOW_PRIVATE": True,
        "CALENDARS_SECRET_KEYS": Fernet.generate_key().decode(),
        "CALENDARS_READ_SECONDS": 1,
        "CALENDARS_TOTAL_SECONDS": 3,
    }


@pytest.fixture
def source(app, db, feed_server, create_person, create_library):
    kari = create_person(
        Role.LIBRARIAN, email="kari@uni.example", bookable=True, libraries=[create_library()]
    )
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    box = box_from_config(app.config, app.instance_path)
    made = add_source(
        db.session, kari, kari, SourceInput("ics", "Google", feed_server.url("/cal.ics")), box=box
    )
    db.session.commit()
    return made


def busy_count(db) -> int:
    return db.session.scalar(select(func.count(BusyInterval.id)))


def test_a_requested_sync_runs_as_a_job(app, db, source) -> None:
    with time_machine.travel(NOW, tick=True):
        first = request_sync(db.session, source.id)
        assert request_sync(db.session, source.id).id == first.id  # one at a time
        db.session.commit()
        assert run_pending(app) == 1
    db.session.expire_all()
    job = db.session.get(Job, first.id)
    assert job.state == JobState.DONE
    assert job.result["ok"] is True
    assert job.result["events"] == 16
    assert busy_count(db) == 16
    # Finished, so a new request queues a new job.
    assert request_sync(db.session, source.id).id != first.id


def test_due_sources_are_queued_on_schedule(app, db, source) -> None:
    with time_machine.travel(NOW, tick=True):
        assert sync_due_sources(db.session, NOW) == [source.id]
        db.session.commit()
        run_pending(app)
    db.session.expire_all()
    attempted = db.session.get(CalendarSource, source.id).last_attempt_at
    assert sync_due_sources(db.session, attempted + timedelta(minutes=9)) == []
    assert sync_due_sources(db.session, attempted + timedelta(minutes=10)) == [source.id]
    # Already queued: asking again does not queue a second job.
    assert sync_due_sources(db.session, attempted + timedelta(minutes=11)) == [source.id]
    db.session.commit()
    queued = db.session.scalar(
        select(func.count(Job.id)).where(Job.state == JobState.QUEUED, Job.kind == "calendar_sync")
    )
    assert queued == 1


def test_a_long_failure_warns_once_and_keeps_the_data(app, db, feed_server, source) -> None:
    with time_machine.travel(NOW, tick=True):
        request_sync(db.session, source.id)
        db.session.commit()
        run_pending(app)
    good = busy_count(db)
    feed_server.routes["/cal.ics"] = Route(status=503, body=b"down")
    for minutes in (10, 70, 130, 140):  # failing from +10 min; warned after 2 hours
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=True):
            request_sync(db.session, source.id)
            db.session.commit()
            run_pending(app)
    assert busy_count(db) == good
    mails = db.session.scalars(select(OutboundEmail)).all()
    assert len(mails) == 1
    assert mails[0].to_address == "kari@uni.example"
    assert "serveren svarte 503" in mails[0].body_text
    assert "https://library.test/staff/booking/availability" in mails[0].body_text
    db.session.expire_all()
    stored = db.session.get(CalendarSource, source.id)
    assert stored.error_code == "http"
    assert stored.failing_since is not None
    assert stored.failing_since - NOW < timedelta(minutes=11)


def test_the_command_reads_due_calendars_now(app, db, runner, source) -> None:
    with time_machine.travel(NOW, tick=True):
        result = runner.invoke(args=["sync-calendars"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 calendar." in result.output
    assert "Read 1; 0 failed" in result.output
    assert busy_count(db) == 16
    with time_machine.travel(NOW + timedelta(minutes=1), tick=True):
        assert "Queued 0 calendars." in runner.invoke(args=["sync-calendars"]).output
        assert "Queued 1 calendar." in runner.invoke(args=["sync-calendars", "--all"]).output
    bad = runner.invoke(args=["sync-calendars", "--source", "999"])
    assert bad.exit_code == 2
    assert "no connected calendar with id 999" in bad.output
