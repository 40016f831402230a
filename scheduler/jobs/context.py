"""What a running job function is given: its payload, the database, the settings,
progress reporting and cancellation.

No Flask here: the worker passes everything in, so job functions in ``rostering`` or
``mail`` never reach for an application context.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from scheduler.models.jobs import Job, JobState
from scheduler.timeutil import utcnow


class JobCancelled(Exception):
    """Raised by a job function that stopped because a cancel was requested."""


@dataclass
class JobContext:
    """One attempt at one job."""

    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    # The worker's session (the function commits its own work) and its engine, for
    # short transactions of their own such as progress.
    session: Session
    engine: Engine
    # The app's settings and instance folder (the e-mail outbox lives there).
    config: Mapping[str, Any]
    instance_path: str
    stop_event: threading.Event = field(default_factory=threading.Event)

    def report_progress(self, fraction: float, info: dict[str, Any] | None = None) -> None:
        """Record progress at once, in its own short transaction, for the UI to poll."""
        with self.engine.begin() as conn:
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


# A job function: it gets the context and returns a JSON-ready result (or None).
Handler = Callable[[JobContext], dict | None]
