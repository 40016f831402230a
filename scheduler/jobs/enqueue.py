"""Adding a job: a row in the caller's transaction, handed to a worker after the commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scheduler.models.jobs import Job, JobState

# ``session.info`` key of the job ids a commit hands to workers (see ``dispatch``).
PENDING_KEY = "scheduler_jobs_to_dispatch"


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
    session.info.setdefault(PENDING_KEY, []).append(job.id)
    return job
