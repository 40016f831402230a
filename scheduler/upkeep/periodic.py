"""Distributed mode: the upkeep schedule as a Huey periodic task in ``scheduler worker``.

Every worker process's consumer enqueues the task once a minute and a worker thread (of
any process) runs it: the due tasks under their leases, so two (or twenty) workers never
send a reminder twice. Schedules finer than a minute are kept to the minute in this mode.
Each worker's heartbeat is its own thread's (:class:`scheduler.upkeep.heartbeat.BeatThread`).
"""

from __future__ import annotations

import logging

from huey import crontab

from scheduler.jobs.queue import JobQueue
from scheduler.upkeep.runner import run_due

log = logging.getLogger(__name__)

TASK_NAME = "scheduler.upkeep"


def register(queue: JobQueue) -> None:
    """Add the once-a-minute upkeep task to the queue's Huey (in the worker process)."""
    app = queue.app

    @queue.huey.periodic_task(crontab(minute="*"), name=TASK_NAME)
    def upkeep_task() -> None:
        for ran in run_due(app):
            log.info("upkeep %s: %s %s", ran.task, ran.outcome, ran.counts)
