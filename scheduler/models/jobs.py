"""Background jobs: the database row is the truth about a job's state."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models.base import Base, JSONType, str_enum, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Job(Base):
    """One unit of background work (a solver run, an e-mail).

    Workers claim a queued job with a conditional UPDATE, so two workers never run
    the same attempt; they refresh ``heartbeat_at`` while running, and a sweeper fails
    or re-queues jobs whose heartbeat stopped.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_created", "state", "created_at"),
        # At most one active (queued or running) job per dedupe key, enforced by the
        # database so that two simultaneous requests cannot both start the same work.
        Index(
            "uq_jobs_dedupe_key_active",
            "dedupe_key",
            unique=True,
            sqlite_where=text("state IN ('queued', 'running')"),
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    state: Mapped[JobState] = mapped_column(
        str_enum(JobState, "job_state"), default=JobState.QUEUED
    )
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    result: Mapped[dict | None] = mapped_column(JSONType)
    # Progress for the UI: fraction done (0..1) and what the job wants to show.
    progress: Mapped[float] = mapped_column(default=0.0)
    progress_info: Mapped[dict | None] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=1)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # Guards against starting the same work twice (e.g. "roster:period:12") while active.
    dedupe_key: Mapped[str | None] = mapped_column(String(100))
    worker: Mapped[str | None] = mapped_column(String(100))
    # The request that queued the job: its log lines carry the same id.
    request_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
