"""Forgetting finished jobs: their payloads and results may quote an e-mail address
(a sent e-mail's job records whom it went to), so they go with the retention purge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from scheduler.models.jobs import Job, JobState

FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


def delete_finished_jobs(session: Session, *, before: datetime) -> int:
    """Delete jobs that finished before ``before``; queued and running ones stay."""
    result = session.execute(
        delete(Job)
        .where(Job.state.in_(FINISHED), Job.finished_at.is_not(None), Job.finished_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
