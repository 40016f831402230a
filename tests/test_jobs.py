"""Background jobs: dispatched after commit, claimed once, retried, swept when lost."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.jobs import JobContext, enqueue
from scheduler.jobs.runner import claim, run_pending
from scheduler.jobs.sweeper import sweep_lost_jobs
from scheduler.mail.outbox import queue_email
from scheduler.models import EmailState, Job, JobState, OutboundEmail
from scheduler.timeutil import utcnow

CALLS: list[dict] = []


def record(ctx: JobContext) -> dict:
    """The test job (registered through the JOB_HANDLERS setting, see ``app_config``)."""
    CALLS.append(dict(ctx.payload))
    ctx.report_progress(0.5, {"half": True})
    if ctx.payload.get("fail_until", 0) >= ctx.attempt:
        raise RuntimeError(f"failing attempt {ctx.attempt}")
    return {"ok": ctx.attempt}


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.fixture
def app_config(app_config):
    app_config["JOB_HANDLERS"] = {"test.record": "tests.test_jobs:record"}
    return app_config


def test_a_rolled_back_job_never_runs(app, db) -> None:
    enqueue(db.session, "test.record", {"n": 1})
    db.session.rollback()
    assert run_pending(app) == 0
    assert CALLS == []


def test_a_committed_job_runs_once_and_records_its_result(app, db) -> None:
    job = enqueue(db.session, "test.record", {"n": 2})
    db.session.commit()
    assert run_pending(app) == 1
    assert run_pending(app) == 0  # nothing left, nothing runs twice
    db.session.refresh(job)
    assert job.state == JobState.DONE
    assert job.result == {"ok": 1}
    assert job.progress == 1.0
    assert CALLS == [{"n": 2}]


def test_claim_is_exclusive(app, db) -> None:
    job = enqueue(db.session, "test.record", {})
    db.session.commit()
    with app.app_context():
        assert claim(job.id, "w1") is True
        assert claim(job.id, "w2") is False


def test_failures_are_retried_then_marked_failed(app, db) -> None:
    retried = enqueue(db.session, "test.record", {"fail_until": 1}, max_attempts=2)
    hopeless = enqueue(db.session, "test.record", {"fail_until": 9}, max_attempts=2)
    db.session.commit()
    run_pending(app)
    db.session.refresh(retried)
    db.session.refresh(hopeless)
    assert retried.state == JobState.DONE
    assert retried.attempts == 2
    assert hopeless.state == JobState.FAILED
    assert hopeless.attempts == 2
    assert "failing attempt 2" in hopeless.error


def test_a_job_whose_worker_died_is_failed_or_requeued(app, db) -> None:
    stale = utcnow() - timedelta(hours=1)
    lost = Job(
        kind="test.record",
        state=JobState.RUNNING,
        payload={},
        attempts=1,
        max_attempts=1,
        worker="otherhost:1:1",
        heartbeat_at=stale,
        started_at=stale,
    )
    retry = Job(
        kind="test.record",
        state=JobState.RUNNING,
        payload={},
        attempts=1,
        max_attempts=3,
        worker="otherhost:1:2",
        heartbeat_at=stale,
        started_at=stale,
    )
    alive = Job(
        kind="test.record",
        state=JobState.RUNNING,
        payload={},
        attempts=1,
        max_attempts=1,
        worker="otherhost:1:3",
        heartbeat_at=utcnow(),
    )
    db.session.add_all([lost, retry, alive])
    db.session.commit()
    assert sweep_lost_jobs(app) == 2
    db.session.expire_all()
    assert lost.state == JobState.FAILED
    assert "lost" in lost.error
    assert retry.state == JobState.QUEUED
    assert alive.state == JobState.RUNNING


def test_a_dead_local_process_counts_as_lost_at_once(app, db) -> None:
    import socket
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(proc.stdout)
    job = Job(
        kind="test.record",
        state=JobState.RUNNING,
        payload={},
        attempts=1,
        max_attempts=1,
        worker=f"{socket.gethostname()}:{dead_pid}:1",
        heartbeat_at=utcnow(),
    )
    db.session.add(job)
    db.session.commit()
    assert sweep_lost_jobs(app) == 1
    db.session.refresh(job)
    assert job.state == JobState.FAILED


def test_email_is_written_to_the_outbox_once(app, db) -> None:
    email = queue_email(
        db.session,
        "student@uni.example",
        "Your appointment",
        "See you on Tuesday.",
        attachments=[
            {
                "filename": "invite.ics",
                "content_type": "text/calendar; method=REQUEST",
                "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            }
        ],
    )
    db.session.commit()
    run_pending(app)
    db.session.refresh(email)
    assert email.state == EmailState.SENT
    files = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(files) == 1
    msg = message_from_bytes(files[0].read_bytes())
    assert msg["To"] == "student@uni.example"
    parts = {p.get_content_type(): p for p in msg.walk()}
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    # Running the send job again (e.g. after a crash) does not send a second copy.
    job = db.session.scalar(select(Job).where(Job.kind == "send_email"))
    job.state = JobState.QUEUED
    db.session.commit()
    run_pending(app)
    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 1


def test_a_failing_mail_server_does_not_lose_the_email(app, db, monkeypatch) -> None:
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 1  # nothing listens there
    email = queue_email(db.session, "a@uni.example", "Hi", "Body")
    db.session.commit()
    run_pending(app)
    db.session.refresh(email)
    assert email.state == EmailState.FAILED
    assert email.attempts == 5
    assert db.session.scalar(select(OutboundEmail.error).where(OutboundEmail.id == email.id))
