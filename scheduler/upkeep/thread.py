"""Thread mode: a daemon thread in each web process keeps the upkeep schedule.

Every ``UPKEEP_POLL_SECONDS`` it records the process's heartbeat and runs the tasks
that are due (under their leases, so with four web processes each due run still
happens once). A database that is busy or away only delays a round: the error is
logged and the next round tries again; the server never waits for this thread.
"""

from __future__ import annotations

import atexit
import logging
import threading

from flask import Flask

from scheduler.extensions import db
from scheduler.upkeep import heartbeat, lease
from scheduler.upkeep.runner import holder_name, run_due

log = logging.getLogger(__name__)


class UpkeepThread:
    def __init__(self, app: Flask, poll_seconds: float) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="scheduler-upkeep", daemon=True)
        self.holder: str | None = None  # this thread's lease holder name, once it runs

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Start no further task; wait up to ``timeout`` for the one running, and if it
        is still running, give its lease up so another process runs it at its next poll
        rather than after the lease expires (every task is safe to repeat)."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=timeout)
        if self.thread.is_alive() and self.holder is not None:
            try:
                with self.app.app_context():
                    released = lease.release_held(db.engine, self.holder)
                if released:
                    log.warning("upkeep stopped during %s: lease given up", ", ".join(released))
            except Exception:
                log.exception("upkeep could not give its leases up; they expire instead")

    def round(self) -> None:
        """One round: heartbeat, then the due tasks; errors are logged, not raised."""
        try:
            heartbeat.beat_in_app(self.app, "web")
            run_due(self.app, self.holder, stopping=self.stopping)
        except Exception:
            log.exception("upkeep round failed; trying again in %s s", self.poll_seconds)

    def _loop(self) -> None:
        self.holder = holder_name()
        while not self.stopping.is_set():
            self.round()
            self.stopping.wait(self.poll_seconds)


_threads: dict[int, UpkeepThread] = {}


def start_upkeep_thread(app: Flask) -> UpkeepThread:
    """Start this process's upkeep thread for ``app`` (once)."""
    thread = _threads.get(id(app))
    if thread is None:
        thread = UpkeepThread(app, float(app.config.get("UPKEEP_POLL_SECONDS") or 30))
        _threads[id(app)] = thread
        thread.start()
        # A clean exit (Ctrl+C, SIGTERM under `scheduler serve`, a gunicorn worker's
        # graceful stop) lets the running task finish or gives its lease up.
        atexit.register(thread.stop)
    return thread
