"""Distributed mode: the upkeep schedule as a Huey periodic task in ``scheduler worker``.

Every worker process's consumer enqueues the task once a minute and one of its worker
threads runs it: a heartbeat for the process, then the due tasks under their leases, so
two (or twenty) workers never send a reminder twice. Schedules finer than a minute are
kept to the minute in this mode.
"""

from __future__ import annotations

import logging

from huey import crontab

from scheduler.database import _read_only
from scheduler.extensions import db
from scheduler.jobs.queue import JobQueue
from scheduler.upkeep import heartbeat
from scheduler.upkeep.runner import run_due

log = logging.getLogger(__name__)

TASK_NAME = "scheduler.upkeep"


def register(queue: JobQueue) -> None:
    """Add the once-a-minute upkeep task to the queue's Huey (in the worker process)."""
    app = queue.app

    @queue.huey.periodic_task(crontab(minute="*"), name=TASK_NAME)
    def upkeep_task() -> None:
        token = _read_only.set(False)
        try:
            with app.app_context():
                heartbeat.beat(db.engine, "worker")
        finally:
            _read_only.reset(token)
        for ran in run_due(app):
            log.info("upkeep %s: %s %s", ran.task, ran.outcome, ran.counts)
