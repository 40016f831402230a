"""Each upkeep task does its job when the schedule says so: reminders the day before,
the sweeper, expired holds and old tokens, and the connected-calendar sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from scheduler.booking.appointments import book as svc
from scheduler.calendars.sources.manage import SourceInput, add_source
from scheduler.calendars.sources.secretbox import box_from_config
from scheduler.jobs.runner import run_pending
from scheduler.models import (
    AppointmentStatus,
    BusyInterval,
    FeedToken,
    Job,
    JobState,
    Role,
    UpkeepRun,
)
from scheduler.upkeep.runner import run_due
from tests.booking.appointments.helpers import NOW, TODAY, TUESDAY, at, emails_to
from tests.calendar_sources import feeds
from tests.calendar_sources.conftest import Route


def _reminders(db, address: str) -> list:
    return [m for m in emails_to(db, address) if m.subject.startswith(("Reminder", "Påminnelse"))]


@pytest.fixture
def reminders_at_five(schedule) -> None:
    schedule(reminders="daily 17:00")


def test_reminders_go_out_at_their_time_the_day_before(
    reminders_at_five, app, db, site, librarian, request_for
) -> None:
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9), email="tue@uni.example"), site=site)
    db.session.commit()
    with time_machine.travel(at(TODAY, 16), tick=False):
        assert run_due(app) == []  # not five o'clock yet
    with time_machine.travel(at(TODAY, 17) + timedelta(seconds=20), tick=False):
        (ran,) = run_due(app)
        assert (ran.task, ran.outcome, ran.counts) == ("reminders", "ok", {"reminders": 1})
        assert run_due(app) == []  # done for today
    db.session.expire_all()
    assert len(_reminders(db, "tue@uni.example")) == 1
    with time_machine.travel(at(TUESDAY, 17) + timedelta(seconds=20), tick=False):
        (ran,) = run_due(app)
        assert ran.counts == {"reminders": 0}  # Tuesday's was sent on Monday
    db.session.expire_all()
    assert len(_reminders(db, "tue@uni.example")) == 1


@pytest.fixture
def sweep_every_minute(schedule) -> None:
    schedule(sweep="every 1m")


def test_the_sweeper_fails_a_job_whose_worker_was_lost(sweep_every_minute, app, db) -> None:
    lost = Job(
        kind="send_email",
        state=JobState.RUNNING,
        worker="another-host:4242:1",
        attempts=1,
        max_attempts=1,
        started_at=NOW - timedelta(minutes=10),
        heartbeat_at=NOW - timedelta(minutes=10),
    )
    db.session.add(lost)
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        (ran,) = run_due(app)
    assert ran.counts["lost_jobs"] == 1
    db.session.expire_all()
    assert db.session.get(Job, lost.id).state == JobState.FAILED
    assert "was lost" in db.session.get(Job, lost.id).error


@pytest.fixture
def tokens_every_quarter(schedule) -> None:
    schedule(tokens="every 15m")


def test_expired_holds_are_released_and_old_revoked_tokens_deleted(
    tokens_every_quarter, app, db, site, librarian, request_for, topic, create_topic_group
) -> None:
    topic.group = create_topic_group(allowed_email_domains="uni.example")  # must verify
    pending = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site).appointment
    assert pending.status == AppointmentStatus.PENDING
    db.session.add_all(
        [
            FeedToken(person_id=librarian.id, token_hash="a" * 64, revoked_at=NOW - timedelta(40)),
            FeedToken(person_id=librarian.id, token_hash="b" * 64, revoked_at=NOW - timedelta(5)),
            FeedToken(person_id=librarian.id, token_hash="c" * 64),
        ]
    )
    db.session.commit()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        (ran,) = run_due(app)
    assert ran.counts == {"holds_released": 1, "revoked_tokens": 1}
    db.session.expire_all()
    assert db.session.get(type(pending), pending.id).status == AppointmentStatus.CANCELLED
    hashes = set(db.session.scalars(select(FeedToken.token_hash)))
    assert hashes == {"b" * 64, "c" * 64}


CAL_NOW = datetime(2027, 3, 15, 6, 30, tzinfo=UTC)


@pytest.fixture
def calendars_config(schedule, app_config: dict) -> None:
    schedule(calendars="every 2m")
    app_config.update(
        {
            "CALENDARS_ALLOW_PRIVATE": True,
            "CALENDARS_SECRET_KEYS": Fernet.generate_key().decode(),
            "CALENDARS_READ_SECONDS": 1,
            "CALENDARS_TOTAL_SECONDS": 3,
        }
    )


def test_connected_calendars_are_synced_on_schedule(
    calendars_config, app, db, feed_server, create_person, create_library
) -> None:
    kari = create_person(Role.LIBRARIAN, bookable=True, libraries=[create_library()])
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    box = box_from_config(app.config, app.instance_path)
    add_source(
        db.session, kari, kari, SourceInput("ics", "Google", feed_server.url("/cal.ics")), box=box
    )
    db.session.commit()
    with time_machine.travel(CAL_NOW, tick=True):
        (ran,) = run_due(app)
        assert ran.counts == {"queued": 1}
        assert run_pending(app) == 1  # the worker reads the calendar
        # Two minutes on the task looks again; the source was read, so it is not due.
        (again,) = run_due(app, now=CAL_NOW + timedelta(minutes=2, seconds=1))
        assert again.counts == {"queued": 0}
    db.session.expire_all()
    (job,) = db.session.scalars(select(Job).where(Job.kind == "calendar_sync"))
    assert job.state == JobState.DONE
    busy = db.session.scalar(select(func.count(BusyInterval.id)))
    assert busy > 0
    assert busy == job.result["events"]
    assert db.session.scalar(select(func.count(UpkeepRun.id))) == 2
