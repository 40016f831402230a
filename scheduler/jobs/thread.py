"""The default worker: a daemon thread in each web process that runs queued jobs.

It polls the job table (the claim is atomic, so several processes may poll) and is
woken at once when a commit adds jobs. It sweeps lost jobs first and then every 30 s,
in its own thread, so a busy database delays the sweep but never the server's start.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from scheduler.jobs import dispatch
from scheduler.jobs.runner import queued_job_ids, run_job
from scheduler.jobs.sweeper import sweep_lost_jobs

log = logging.getLogger(__name__)


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


def start_worker_thread(app: Flask) -> ThreadWorker:
    """Start this process's job thread for ``app`` (once)."""
    worker = _workers.get(id(app))
    if worker is None:
        worker = ThreadWorker(app)
        _workers[id(app)] = worker
        dispatch.listen(app, lambda _job_ids: worker.wake.set())
        worker.start()
    return worker
