"""Lost jobs: running jobs whose worker stopped beating, or died on this host.

Each is re-queued while it has attempts left, else failed with the reason; the
conditional UPDATE makes sure a job that finished meanwhile is left alone.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from scheduler.database import read_only_transactions
from scheduler.extensions import db
from scheduler.models.jobs import Job, JobState
from scheduler.timeutil import utcnow


def sweep_lost_jobs(app: Flask) -> int:
    """Re-queue or fail running jobs whose worker stopped beating; returns how many."""
    lost_after = timedelta(seconds=float(app.config["JOBS_LOST_AFTER"]))
    host = socket.gethostname()
    with app.app_context():
        now = utcnow()
        with read_only_transactions():  # looking takes no write lock
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
