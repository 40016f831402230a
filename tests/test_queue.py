"""Distributed mode: real `scheduler worker` processes, real Redis, real PostgreSQL.

The job row is the truth: a worker killed with SIGKILL mid-run leaves its transaction
uncommitted (nothing half-written), and the next worker's sweeper fails the job or,
when attempts remain, runs it again to the end.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler import create_app
from scheduler.extensions import db as _db
from scheduler.jobs import enqueue, queue
from scheduler.models import AuditEntry, Job, JobState
from tests import queue_jobs
from tests.conftest import IN_CI, _truncate_all
from tests.factories import acting_admin

REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the queue tests must run)")
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def queue_name() -> str:
    return f"scheduler-test-{os.getpid()}-{secrets.token_hex(4)}"


@pytest.fixture
def broker_app(pg_database_url: str, redis_url: str, queue_name: str, tmp_path: Path) -> Iterator:
    _truncate_all(pg_database_url)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": pg_database_url,
            "INSTANCE": str(tmp_path / "instance"),
            "SECRET_KEY": "queue-test",
            "JOBS_THREAD": False,
            "BROKER_URL": redis_url,
            "BROKER_QUEUE": queue_name,
        }
    )
    yield app
    q = queue.get_queue(app)
    if q is not None:
        q.huey.storage.flush_all()
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def start_worker(pg_database_url: str, redis_url: str, queue_name: str, tmp_path: Path):
    procs: list[subprocess.Popen] = []
    logs: list = []

    def _start() -> subprocess.Popen:
        env = dict(os.environ)
        env.update(
            {
                "SCHEDULER_DATABASE_URL": pg_database_url,
                "SCHEDULER_BROKER_URL": redis_url,
                "SCHEDULER_BROKER_QUEUE": queue_name,
                "SCHEDULER_INSTANCE": str(tmp_path / "instance"),
                "SCHEDULER_SECRET_KEY": "queue-test",
                "SCHEDULER_JOB_HANDLERS": json.dumps(
                    {queue_jobs.KIND: "tests.queue_jobs:write_rows"}
                ),
                "SCHEDULER_JOBS_SWEEP_SECONDS": "1",
                "SCHEDULER_SOLVER_WORKERS": "1",
                "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            }
        )
        log = (tmp_path / f"worker-{len(procs)}.log").open("wb")
        logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-c", "from scheduler.cli import main; main()", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    yield _start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    for log in logs:
        log.close()


def _enqueue(app, **kw) -> int:
    max_attempts = kw.pop("max_attempts", 1)
    with app.app_context():
        job = enqueue(_db.session, queue_jobs.KIND, kw, max_attempts=max_attempts)
        _db.session.commit()  # dispatch happens after the commit
        job_id = job.id
        _db.session.remove()
    return job_id


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = _db.session.get(Job, job_id)
        assert job is not None
        _db.session.expunge(job)
        _db.session.remove()
        return job


def _rows(app, job_id: int) -> int:
    with app.app_context():
        n = _db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.subject == f"job:{job_id}")
        )
        _db.session.remove()
        return int(n or 0)


def _wait_for(app, job_id: int, ok, timeout: float = 45.0) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        job = _job(app, job_id)
        if ok(job):
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} stuck in {job.state} (progress {job.progress})")
        time.sleep(0.2)


@pytest.mark.postgres
def test_a_committed_job_id_goes_to_redis(broker_app) -> None:
    q = queue.get_queue(broker_app)
    assert q is not None
    _enqueue(broker_app, n=1)
    assert q.pending() == 1
    with broker_app.app_context():
        job = enqueue(_db.session, queue_jobs.KIND, {})
        _db.session.rollback()  # a rolled-back job is never sent
        _db.session.remove()
    assert q.pending() == 1
    assert job.id is not None


def test_worker_command_needs_a_broker(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 2
    assert "SCHEDULER_BROKER_URL" in result.output


@pytest.mark.slow
@pytest.mark.postgres
def test_a_worker_process_runs_a_job_to_done(broker_app, start_worker) -> None:
    worker = start_worker()
    job_id = _enqueue(broker_app, n=3, pause=0.05)
    job = _wait_for(broker_app, job_id, lambda j: j.state.finished)
    assert job.state == JobState.DONE, job.error
    assert job.result == {"rows": 3}
    assert job.progress == 1.0
    assert job.worker is not None
    assert job.worker.split(":")[1] == str(worker.pid)  # run by the worker, not by us
    assert _rows(broker_app, job_id) == 3


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("max_attempts", [1, 2])
def test_a_killed_worker_never_leaves_a_half_written_job(
    broker_app, start_worker, max_attempts: int
) -> None:
    first = start_worker()
    job_id = _enqueue(broker_app, n=40, pause=0.25, max_attempts=max_attempts)
    _wait_for(broker_app, job_id, lambda j: j.state == JobState.RUNNING and j.progress > 0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert _job(broker_app, job_id).state == JobState.RUNNING
    assert _rows(broker_app, job_id) == 0  # the flushed rows died with the connection

    start_worker()  # its sweeper finds the dead worker's job
    if max_attempts == 1:
        job = _wait_for(broker_app, job_id, lambda j: j.state.finished)
        assert job.state == JobState.FAILED
        assert "lost" in (job.error or "")
        assert _rows(broker_app, job_id) == 0
    else:
        job = _wait_for(broker_app, job_id, lambda j: j.state.finished, timeout=60)
        assert job.state == JobState.DONE, job.error
        assert job.attempts == 2
        assert _rows(broker_app, job_id) == 40


@pytest.mark.slow
@pytest.mark.postgres
def test_a_worker_process_solves_a_roster_built_from_demand(broker_app, start_worker) -> None:
    """Set-up → period shifts → a solver run through the queue → stored assignments."""
    from datetime import date, time

    from scheduler.models import (
        Assignment,
        Channel,
        DemandRule,
        Library,
        OpeningHours,
        Person,
        Role,
        RosterRun,
        ServicePoint,
        Shift,
    )
    from scheduler.rostering.periods import create_period
    from scheduler.rostering.runs import start_run

    with broker_app.app_context():
        s = _db.session
        lib = Library(slug="q-main", name="Queue library", is_main=True)
        lib.opening_hours = [
            OpeningHours(weekday=d, opens=time(8), closes=time(20)) for d in range(7)
        ]
        desk = ServicePoint(library=lib, name="Desk", channel=Channel.DESK)
        s.add_all([lib, desk])
        s.add(
            DemandRule(
                service_point=desk,
                weekdays="0",
                start_time=time(8),
                end_time=time(16),
                block_minutes=120,
                min_staff=1,
                max_staff=1,
            )
        )
        for i in range(2):
            person = Person(
                email=f"q{i}@uni.example",
                name=f"Q {i}",
                min_hours_per_week=4.0,
                max_hours_per_week=8.0,
            )
            person.grant(Role.FIRST_LINE, lib)
            s.add(person)
        s.flush()
        period = create_period(s, lib, date(2027, 1, 4), 1, acting_admin())
        run = start_run(s, period, time_limit=5, actor=acting_admin())
        s.commit()
        run_id, job_id, period_id = run.id, run.job_id, period.id
        s.remove()
    start_worker()
    job = _wait_for(broker_app, job_id, lambda j: j.state.finished, timeout=90)
    assert job.state == JobState.DONE, job.error
    with broker_app.app_context():
        run = _db.session.get(RosterRun, run_id)
        assert run.status in ("OPTIMAL", "FEASIBLE")
        n = _db.session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Shift)
            .where(Shift.period_id == period_id)
        )
        assert n == 4  # four 2-hour shifts of one person each
        _db.session.remove()
