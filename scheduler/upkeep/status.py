"""What the operators' page shows: each upkeep task's last and next run, the job queue,
the worker heartbeats, and what the site runs on. Read-only, administrators only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden
from scheduler.models import Job, JobState, Person
from scheduler.models.upkeep import UpkeepRun, UpkeepTask, WorkerHeartbeat
from scheduler.reasons import _
from scheduler.upkeep.heartbeat import version
from scheduler.upkeep.runner import schedules

SHOWN = 50


@dataclass(frozen=True)
class TaskStatus:
    name: str
    schedule: str  # as set, e.g. "daily 03:00"
    off: bool
    last: UpkeepRun | None
    next_run_at: datetime | None
    running_by: str | None  # the lease holder while a run is going on


@dataclass(frozen=True)
class WorkerStatus:
    heartbeat: WorkerHeartbeat
    silent: bool  # not seen for a while: stopped, or stuck


@dataclass(frozen=True)
class SystemStatus:
    version: str
    database: str  # the URL, password masked
    broker: str | None  # the URL, password masked; None = threads in the web processes
    tasks: list[TaskStatus]
    job_counts: dict[str, int]
    waiting: list[Job]
    running: list[Job]
    failed: list[Job]
    workers: list[WorkerStatus]


def masked_url(url: object) -> str:
    """A database or broker URL with its password replaced by ***."""
    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except Exception:
        return _("(not a URL)")


def system_status(
    session: Session, person: Person | None, config: Mapping[str, Any], now: datetime
) -> SystemStatus:
    """Everything /admin/system shows; only administrators may see it."""
    if not access.is_admin(person):
        raise Forbidden(_("Only administrators see the system status."))
    rows = {t.name: t for t in session.scalars(select(UpkeepTask))}
    tasks = []
    for task, schedule in schedules(config):
        row = rows.get(task.name)
        last = session.scalars(
            select(UpkeepRun)
            .where(UpkeepRun.task == task.name)
            .order_by(UpkeepRun.started_at.desc(), UpkeepRun.id.desc())
            .limit(1)
        ).first()
        held = row is not None and row.lease_until is not None and row.lease_until > now
        tasks.append(
            TaskStatus(
                name=task.name,
                schedule=schedule.text,
                off=schedule.off,
                last=last,
                next_run_at=None if schedule.off or row is None else row.next_run_at,
                running_by=row.lease_holder if held and row is not None else None,
            )
        )
    counts = {
        str(state): n
        for state, n in session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    }

    def jobs(state: JobState, order: Any) -> list[Job]:
        return list(
            session.scalars(select(Job).where(Job.state == state).order_by(order).limit(SHOWN))
        )

    # A worker is silent after three of its rounds without a heartbeat (at least 3 min).
    silent_after = timedelta(seconds=max(180.0, 3 * float(config.get("UPKEEP_POLL_SECONDS") or 30)))
    workers = [
        WorkerStatus(beat, now - beat.seen_at > silent_after)
        for beat in session.scalars(
            select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc()).limit(SHOWN)
        )
    ]
    broker = config.get("BROKER_URL")
    return SystemStatus(
        version=version(),
        database=masked_url(config.get("SQLALCHEMY_DATABASE_URI") or config.get("DATABASE_URL")),
        broker=masked_url(broker) if broker else None,
        tasks=tasks,
        job_counts=counts,
        waiting=jobs(JobState.QUEUED, Job.created_at),
        running=jobs(JobState.RUNNING, Job.started_at),
        failed=jobs(JobState.FAILED, Job.finished_at.desc()),
        workers=workers,
    )
