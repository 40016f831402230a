"""Distributed mode: job ids travel to separate worker processes through Huey on Redis.

Only the job id goes over the queue; the job row in the database stays the truth.
A worker process (``scheduler worker``) receives an id and calls
:func:`scheduler.jobs.runner.run_job`, which claims the row with a conditional UPDATE, so a
duplicated or stale message runs nothing twice. The worker also sweeps: jobs whose
worker died (no heartbeat, or a dead process on this host) are re-queued or failed by
:func:`scheduler.jobs.sweeper.sweep_lost_jobs`, and queued rows the queue has lost track of
(Redis was down when the web process committed, or the sweeper re-queued them) are
sent again. The worker runs the same handlers as the thread worker: the app's list in
:mod:`scheduler.jobs.registry`. Why Huey rather than Celery: see docs/background-jobs.md.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import redis
from flask import Flask
from huey import RedisHuey

from scheduler.jobs import dispatch
from scheduler.jobs.runner import queued_job_ids, run_job
from scheduler.jobs.sweeper import sweep_lost_jobs
from scheduler.jobs.sweeps import run_sweeps

log = logging.getLogger(__name__)

EXTENSION_KEY = "scheduler_queue"
TASK_NAME = "scheduler.run_job"


class JobQueue:
    """The app's Huey instance and the one task it knows: run the job with this id."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        # A Redis that does not answer must not hold a request up: the row is safe in the
        # database and the sweeper sends it again (docs/background-jobs.md). The socket
        # timeout stays above Huey's 1 s blocking read.
        pool = redis.ConnectionPool.from_url(
            str(app.config["BROKER_URL"]), socket_connect_timeout=1, socket_timeout=3
        )
        self.huey = RedisHuey(
            name=str(app.config.get("BROKER_QUEUE") or "scheduler-jobs"),
            connection_pool=pool,
            results=False,  # outcomes live in the job row, not in Redis
            utc=True,
        )

        @self.huey.task(name=TASK_NAME)
        def run_job_task(job_id: int) -> None:
            run_job(app, int(job_id))

        self.task: Callable[[int], object] = run_job_task

    def send(self, job_ids: list[int]) -> None:
        """Hand committed job ids to the queue; a failure leaves them for the sweeper."""
        for job_id in job_ids:
            try:
                self.task(job_id)
            except Exception:  # Redis down: the row stays queued; the worker resends it
                log.exception("could not send job %s to the queue", job_id)

    def ping(self) -> None:
        """Raise unless Redis answers (for /readyz)."""
        self.huey.storage.conn.ping()

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def resend_unsent(self) -> int:
        """Send queued rows again when the queue itself is empty (they were lost)."""
        if self.pending():
            return 0
        ids = queued_job_ids(self.app)
        self.send(ids)
        return len(ids)


def init_app(app: Flask) -> JobQueue:
    """Send every committed job id to Redis as well (called when BROKER_URL is set)."""
    queue = JobQueue(app)
    app.extensions[EXTENSION_KEY] = queue
    dispatch.listen(app, queue.send)
    return queue


def get_queue(app: Flask) -> JobQueue | None:
    return app.extensions.get(EXTENSION_KEY)


class Sweeper:
    """A thread in the worker process: sweep lost jobs and resend lost messages."""

    def __init__(self, queue: JobQueue, every: float) -> None:
        self.queue = queue
        self.every = every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="scheduler-sweeper", daemon=True)

    def sweep_once(self) -> None:
        try:
            lost = sweep_lost_jobs(self.queue.app)
            if lost:
                log.warning("swept %s lost job(s)", lost)
            run_sweeps(self.queue.app)
            self.queue.resend_unsent()
        except Exception:  # the next round tries again
            log.exception("sweeping jobs failed")

    def _loop(self) -> None:
        while not self.stopping.wait(self.every):
            self.sweep_once()

    def start(self) -> None:
        self.sweep_once()
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()


def run_worker(app: Flask, workers: int = 1, periodic: bool = False) -> None:
    """Run the Huey consumer for ``app`` until interrupted (SIGINT: finish running jobs);
    ``periodic`` runs the periodic tasks registered on the queue (the upkeep schedule)."""
    queue = get_queue(app)
    if queue is None:
        raise RuntimeError("BROKER_URL is not set: there is no queue to work for")
    sweeper = Sweeper(queue, float(app.config.get("JOBS_SWEEP_SECONDS") or 30))
    sweeper.start()
    consumer = queue.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=periodic, check_worker_health=True
    )
    try:
        consumer.run()
    finally:
        sweeper.stop()
