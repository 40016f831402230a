"""Upkeep that runs by itself: each task's schedule and lease, its runs, and who is alive.

A task row is both the schedule's memory (when the task is next due) and the lease that
lets one process at a time run it: a process takes it with a conditional UPDATE (due,
and no lease or an expired one), runs the task and hands it back with the next due time.
So however many web processes or workers poll, each due run happens once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models.base import Base, JSONType, str_enum, utcnow


class UpkeepTask(Base):
    """One upkeep task: its schedule as last seen, when it is next due, who holds it."""

    __tablename__ = "upkeep_tasks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    # The schedule the next due time was computed from ("every 10m", "daily 03:00",
    # "off"); a changed setting is noticed by comparing, and the time recomputed.
    schedule: Mapped[str] = mapped_column(String(50))
    next_run_at: Mapped[datetime | None]
    lease_holder: Mapped[str | None] = mapped_column(String(150))
    lease_until: Mapped[datetime | None]


class RunOutcome(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class UpkeepRun(Base):
    """One run of one task, for the operators' page: when, by whom, and what it did."""

    __tablename__ = "upkeep_runs"
    __table_args__ = (Index("ix_upkeep_runs_task_started", "task", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(50))
    holder: Mapped[str] = mapped_column(String(150))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[RunOutcome] = mapped_column(
        str_enum(RunOutcome, "upkeep_run_outcome"), default=RunOutcome.RUNNING
    )
    # What the run did, e.g. {"reminders": 3}; counts only, never personal data.
    counts: Mapped[dict | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)


class WorkerHeartbeat(Base):
    """A process that runs background work (a web process's threads, ``scheduler
    worker``), as last seen: the operators' page shows which are alive."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(150), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int]
    version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
