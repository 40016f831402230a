"""Run the upkeep tasks that are due, each under its lease, each run recorded.

Called by whoever keeps time: the upkeep thread of a web process (thread mode) or a
Huey periodic task in ``scheduler worker`` (distributed mode). Both may run in many
processes at once; the lease (:mod:`scheduler.upkeep.lease`) makes one of them run
each due task, once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import update

from scheduler.database import _read_only
from scheduler.extensions import db
from scheduler.models.upkeep import RunOutcome, UpkeepRun
from scheduler.timeutil import utcnow
from scheduler.upkeep import lease
from scheduler.upkeep.schedule import Schedule, parse_schedule
from scheduler.upkeep.tasks import TASKS, Task, UpkeepContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ran:
    """What one run did (for the caller's log and for tests)."""

    task: str
    outcome: RunOutcome
    counts: dict[str, int]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:150]


def schedules(config: Mapping[str, Any]) -> list[tuple[Task, Schedule]]:
    """Each task with its schedule from the settings (checked at start-up, so valid)."""
    zone = str(config.get("TIMEZONE") or "UTC")
    return [(t, parse_schedule(config.get(t.setting), zone, t.setting)) for t in TASKS]


def run_due(
    app: Flask,
    holder: str | None = None,
    now: datetime | None = None,
    *,
    force: str | None = None,
    stopping: threading.Event | None = None,
) -> list[Ran]:
    """Run every task that is due and whose lease this process gets; what ran. ``force``
    names a task to make due now first (it still waits for a lease someone holds); once
    ``stopping`` is set, no further task starts."""
    holder = holder or holder_name()
    token = _read_only.set(False)  # tasks write: on SQLite they take the write lock up front
    try:
        with app.app_context():
            if force is not None:
                planned = [(t.name, s) for t, s in schedules(app.config)]
                lease.ensure_tasks(db.engine, planned, now or utcnow())
                lease.make_due(db.engine, force, now or utcnow())
            return _run_due(app, holder, now, force, stopping)
    finally:
        _read_only.reset(token)


def _run_due(
    app: Flask,
    holder: str,
    now: datetime | None,
    force: str | None,
    stopping: threading.Event | None,
) -> list[Ran]:
    planned = schedules(app.config)
    engine = db.engine
    lease.ensure_tasks(engine, [(t.name, s) for t, s in planned], now or utcnow())
    length = timedelta(seconds=float(app.config.get("UPKEEP_LEASE_SECONDS") or 600))
    ran = []
    due = lease.due_tasks(engine, now or utcnow())
    for task, schedule in planned:
        if stopping is not None and stopping.is_set():
            break
        if (schedule.off and task.name != force) or task.name not in due:
            continue
        started = now or utcnow()
        if not lease.take(engine, task.name, holder, started, length):
            continue
        ran.append(_run_one(app, task, schedule, holder, started, fixed_clock=now is not None))
    return ran


def _run_one(
    app: Flask, task: Task, schedule: Schedule, holder: str, started: datetime, fixed_clock: bool
) -> Ran:
    engine = db.engine
    due = lease.due_time(engine, task.name)
    with engine.begin() as conn:
        # This process holds the task's lease now, so a run of it still marked running
        # was cut off (its process died, or stopped before the run ended): record it as
        # failed, so the page and the "last run failed" metric see it. A slow holder
        # that is in fact still going overwrites this when it finishes.
        conn.execute(
            update(UpkeepRun)
            .where(UpkeepRun.task == task.name, UpkeepRun.outcome == RunOutcome.RUNNING)
            .values(
                finished_at=started,
                outcome=RunOutcome.FAILED,
                error=f"Interrupted: the run did not finish; {holder} took the task over.",
            )
        )
        run_id = conn.execute(
            UpkeepRun.__table__.insert()
            .values(task=task.name, holder=holder, started_at=started, outcome=RunOutcome.RUNNING)
            .returning(UpkeepRun.__table__.c.id)
        ).scalar_one()
    ctx = UpkeepContext(
        app=app,
        session=db.session,  # type: ignore[arg-type]  # the scoped session proxies one
        config=app.config,
        instance_path=app.instance_path,
        now=started,
    )
    counts: dict[str, int] = {}
    error = None
    try:
        counts = {k: int(v) for k, v in task.run(ctx).items()}
        db.session.commit()
        outcome = RunOutcome.OK
    except Exception as exc:
        db.session.rollback()
        log.exception("upkeep task %s failed", task.name)
        outcome = RunOutcome.FAILED
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[:4000]
    finally:
        db.session.remove()
    finished = started if fixed_clock else utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(UpkeepRun)
            .where(UpkeepRun.id == run_id)
            .values(finished_at=finished, outcome=outcome, counts=counts, error=error)
        )
    # The next due time counts from when this run was due, so a slow run does not
    # drift the schedule; a failed run waits for its next turn like a good one.
    lease.hand_back(engine, task.name, holder, schedule.next_after(due, max(finished, started)))
    if outcome is RunOutcome.OK and any(counts.values()):
        log.info("upkeep %s: %s", task.name, counts)
    return Ran(task.name, outcome, counts)
