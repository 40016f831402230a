"""Background work: job rows in the database, run by a worker thread or a queue.

The row is the truth. ``enqueue`` adds a row inside the caller's transaction; only
after that transaction commits is the job handed to a worker (so a rolled-back request
never sends its e-mail). A worker claims a job with a conditional UPDATE, keeps a
heartbeat while it runs, and records the outcome. Job functions must be safe to run
twice: a worker that dies after doing the work but before recording it leaves the job
to the sweeper, which re-queues it (if attempts remain) or marks it failed.

By default a worker thread runs inside each web process and polls the table, which
also works with several processes (the claim is atomic). With ``BROKER_URL`` set, the
job id is also sent to a real queue whose worker processes run the same functions.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from scheduler.database import _read_only
from scheduler.extensions import db
from scheduler.models.jobs import Job, JobState
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[JobContext], dict | None]] = {}
_PENDING_KEY = "scheduler_jobs_to_dispatch"
HEARTBEAT_SECONDS = 5.0


def job_handler(kind: str) -> Callable:
    """Register ``func(ctx) -> result dict`` as the function that runs jobs of ``kind``."""

    def register(func: Callable[[JobContext], dict | None]) -> Callable:
        HANDLERS[kind] = func
        return func

    return register


class JobCancelled(Exception):
    """Raised by a job function that stopped because a cancel was requested."""


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    max_attempts: int = 1,
    dedupe_key: str | None = None,
) -> Job:
    """Add a job; it is dispatched to a worker only when ``session`` commits."""
    job = Job(
        kind=kind,
        payload=payload or {},
        max_attempts=max_attempts,
        dedupe_key=dedupe_key,
        state=JobState.QUEUED,
    )
    session.add(job)
    session.flush()
    session.info.setdefault(_PENDING_KEY, []).append(job.id)
    return job


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class JobContext:
    """What a running job function gets: its payload, progress reporting, cancellation."""

    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    stop_event: threading.Event = field(default_factory=threading.Event)

    def report_progress(self, fraction: float, info: dict[str, Any] | None = None) -> None:
        """Record progress at once, in its own short transaction, for the UI to poll."""
        with db.engine.begin() as conn:
            conn.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.state == JobState.RUNNING)
                .values(
                    progress=max(0.0, min(1.0, float(fraction))),
                    progress_info=info,
                    heartbeat_at=utcnow(),
                )
            )

    def should_stop(self) -> bool:
        return self.stop_event.is_set()


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
        ctx = JobContext(job_id, job.kind, dict(job.payload or {}), job.attempts)
        max_attempts, cancel = job.max_attempts, job.cancel_requested
        db.session.rollback()
        handler = HANDLERS.get(ctx.kind)
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
                _notify_workers(app, [job_id])
                return JobState.QUEUED
            _finish(job_id, worker, state=JobState.FAILED, error=error)
            return JobState.FAILED
        finally:
            done.set()
            beat.join()
            db.session.remove()
        _finish(job_id, worker, state=JobState.DONE, result=result, progress=1.0)
        return JobState.DONE


def sweep_lost_jobs(app: Flask) -> int:
    """Re-queue or fail running jobs whose worker stopped beating; returns how many."""
    lost_after = timedelta(seconds=float(app.config["JOBS_LOST_AFTER"]))
    host = socket.gethostname()
    with app.app_context():
        now = utcnow()
        rows = db.session.execute(
            select(Job.id, Job.worker, Job.heartbeat_at, Job.attempts, Job.max_attempts).where(
                Job.state == JobState.RUNNING
            )
        ).all()
        db.session.rollback()
        lost = 0
        for job_id, worker, beat, attempts, max_attempts in rows:
            stale = beat is None or now - beat > lost_after
            if not (stale or _dead_local_worker(worker, host)):
                continue
            if attempts < max_attempts:
                values = {"state": JobState.QUEUED, "error": f"worker {worker} was lost; retried"}
            else:
                values = {
                    "state": JobState.FAILED,
                    "finished_at": now,
                    "error": f"worker {worker} was lost (stopped or restarted) while running",
                }
            with db.engine.begin() as conn:
                res = conn.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == JobState.RUNNING, Job.worker == worker)
                    .values(**values)
                )
            lost += res.rowcount
        return lost


def _dead_local_worker(worker: str | None, host: str) -> bool:
    """A worker on this host whose process no longer exists is lost, heartbeat or not."""
    if not worker:
        return True
    parts = worker.split(":")
    if len(parts) < 2 or parts[0] != host:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def queued_job_ids(app: Flask) -> list[int]:
    with app.app_context():
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


# Dispatch after commit ---------------------------------------------------------------


class ThreadWorker:
    """A daemon thread in this process that runs queued jobs (the default backend)."""

    def __init__(self, app: Flask, poll_seconds: float = 2.0) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="scheduler-jobs", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout=10)

    def _loop(self) -> None:
        sweep_every, since_sweep = 30.0, 30.0
        while not self.stopping.is_set():
            try:
                if since_sweep >= sweep_every:
                    sweep_lost_jobs(self.app)
                    since_sweep = 0.0
                for job_id in queued_job_ids(self.app):
                    if self.stopping.is_set():
                        break
                    run_job(self.app, job_id)
            except Exception:
                log.exception("job worker loop error")
            self.wake.wait(self.poll_seconds)
            self.wake.clear()
            since_sweep += self.poll_seconds


_workers: dict[int, ThreadWorker] = {}
_external_dispatch: dict[int, Callable[[list[int]], None]] = {}


def _notify_workers(app: Flask, job_ids: list[int]) -> None:
    worker = _workers.get(id(app))
    if worker is not None:
        worker.wake.set()
    send = _external_dispatch.get(id(app))
    if send is not None:
        send(job_ids)


def set_external_dispatch(app: Flask, send: Callable[[list[int]], None]) -> None:
    """Also hand committed job ids to a real queue (used when BROKER_URL is set)."""
    _external_dispatch[id(app)] = send


def start_worker_thread(app: Flask) -> ThreadWorker:
    worker = _workers.get(id(app))
    if worker is None:
        worker = ThreadWorker(app)
        _workers[id(app)] = worker
        sweep_lost_jobs(app)
        worker.start()
    return worker


def _after_commit(session: Session) -> None:
    job_ids = session.info.pop(_PENDING_KEY, None)
    if job_ids:
        from flask import current_app

        _notify_workers(current_app._get_current_object(), job_ids)  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def init_app(app: Flask) -> None:
    # Import the modules that define job handlers so every process knows them.
    from scheduler import notify  # noqa: F401
    from scheduler.calendars.sources import sync_job  # noqa: F401
    from scheduler.rostering import runs  # noqa: F401

    if app.config.get("BROKER_URL"):
        from scheduler import queue

        queue.init_app(app)

    # One listener pair for the shared scoped session, however many apps are created.
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
