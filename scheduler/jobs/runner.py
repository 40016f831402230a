"""Claim one job and run it: the heartbeat while it runs, the outcome in its row.

A job is claimed with a conditional UPDATE (queued -> running, for this worker), so
two workers never run the same attempt. Its function runs in the app context with a
:class:`~scheduler.jobs.context.JobContext`; a failure is retried while attempts
remain, a cancel request ends it as cancelled.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from scheduler.database import _read_only, read_only_transactions
from scheduler.extensions import db
from scheduler.jobs import dispatch, registry
from scheduler.jobs.context import JobCancelled, JobContext
from scheduler.models.jobs import Job, JobState
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(job_id: int, worker: str) -> bool:
    """Atomically move a queued job to running for ``worker``; False if someone else did."""
    now = utcnow()
    with db.engine.begin() as conn:
        result = conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.QUEUED)
            .values(
                state=JobState.RUNNING,
                worker=worker,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
            )
        )
        return result.rowcount == 1


def _finish(job_id: int, worker: str, **values: Any) -> None:
    values.setdefault("finished_at", utcnow())
    with db.engine.begin() as conn:
        conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING, Job.worker == worker)
            .values(**values)
        )


def _heartbeat(ctx: JobContext, worker: str, done: threading.Event, app: Flask) -> None:
    """Keep the job's heartbeat fresh and notice cancel requests, until ``done``."""
    with app.app_context():
        while not done.wait(HEARTBEAT_SECONDS):
            try:
                with db.engine.begin() as conn:
                    conn.execute(
                        update(Job)
                        .where(Job.id == ctx.job_id, Job.worker == worker)
                        .values(heartbeat_at=utcnow())
                    )
                    cancel = conn.execute(
                        select(Job.cancel_requested).where(Job.id == ctx.job_id)
                    ).scalar()
                if cancel:
                    ctx.stop_event.set()
            except Exception:  # the next beat tries again; the job itself goes on
                log.exception("heartbeat for job %s failed", ctx.job_id)


def run_job(app: Flask, job_id: int, worker: str | None = None) -> JobState | None:
    """Claim and run one job; returns its final state, or None if it was not claimable."""
    worker = worker or worker_name()
    token = _read_only.set(False)  # a job may write: SQLite takes the write lock up front
    try:
        return _run_claimed(app, job_id, worker)
    finally:
        _read_only.reset(token)


def _run_claimed(app: Flask, job_id: int, worker: str) -> JobState | None:
    with app.app_context():
        if not claim(job_id, worker):
            return None
        job = db.session.get(Job, job_id)
        assert job is not None
        ctx = JobContext(
            job_id=job_id,
            kind=job.kind,
            payload=dict(job.payload or {}),
            attempt=job.attempts,
            session=db.session,  # type: ignore[arg-type]  # the scoped session proxies one
            engine=db.engine,
            config=app.config,
            instance_path=app.instance_path,
        )
        max_attempts, cancel = job.max_attempts, job.cancel_requested
        db.session.rollback()
        handler = registry.handler_for(app, ctx.kind)
        if handler is None:
            _finish(job_id, worker, state=JobState.FAILED, error=f"no handler for {ctx.kind!r}")
            return JobState.FAILED
        if cancel:
            ctx.stop_event.set()
        done = threading.Event()
        beat = threading.Thread(target=_heartbeat, args=(ctx, worker, done, app), daemon=True)
        beat.start()
        try:
            result = handler(ctx)
        except JobCancelled:
            db.session.rollback()
            _finish(job_id, worker, state=JobState.CANCELLED)
            return JobState.CANCELLED
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, ctx.kind)
            error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
            if ctx.attempt < max_attempts:
                _finish(job_id, worker, state=JobState.QUEUED, error=error, finished_at=None)
                dispatch.dispatch(app, [job_id])
                return JobState.QUEUED
            _finish(job_id, worker, state=JobState.FAILED, error=error)
            return JobState.FAILED
        finally:
            done.set()
            beat.join()
            db.session.remove()
        _finish(job_id, worker, state=JobState.DONE, result=result, progress=1.0)
        return JobState.DONE


def queued_job_ids(app: Flask) -> list[int]:
    with app.app_context(), read_only_transactions():
        ids = list(
            db.session.scalars(select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id))
        )
        db.session.rollback()
        return ids


def run_pending(app: Flask, limit: int = 1000) -> int:
    """Run queued jobs in this thread until none are left; returns how many ran."""
    ran = 0
    while ran < limit:
        ids = queued_job_ids(app)
        if not ids:
            break
        progressed = False
        for job_id in ids:
            if run_job(app, job_id) is not None:
                ran += 1
                progressed = True
        if not progressed:
            break
    return ran
