"""Thread mode: a daemon thread in each web process keeps the upkeep schedule.

Every ``UPKEEP_POLL_SECONDS`` it records the process's heartbeat and runs the tasks
that are due (under their leases, so with four web processes each due run still
happens once). A database that is busy or away only delays a round: the error is
logged and the next round tries again; the server never waits for this thread.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from scheduler.upkeep import heartbeat
from scheduler.upkeep.runner import run_due

log = logging.getLogger(__name__)


class UpkeepThread:
    def __init__(self, app: Flask, poll_seconds: float) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="scheduler-upkeep", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def round(self) -> None:
        """One round: heartbeat, then the due tasks; errors are logged, not raised."""
        try:
            heartbeat.beat_in_app(self.app, "web")
            run_due(self.app)
        except Exception:
            log.exception("upkeep round failed; trying again in %s s", self.poll_seconds)

    def _loop(self) -> None:
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
    return thread
