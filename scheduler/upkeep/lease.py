"""The database lease: one process at a time runs a task, and each due run happens once.

Every task has a row (:class:`~scheduler.models.upkeep.UpkeepTask`). A process takes the
lease with one conditional UPDATE — the task is due, and nobody holds it or the holder's
lease has expired — so of any number of processes polling at once exactly one gets a
row count of 1 (PostgreSQL re-checks the condition after waiting for the row lock;
SQLite runs writers one at a time). The winner hands the lease back with the next due
time, so the others find the task not due. A holder that dies leaves the lease to
expire; the next poller after that runs the task again (every task is safe to repeat).
A process that stops cleanly in the middle of a run gives its leases up at once
(:func:`release_held`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from scheduler.database import read_only_transactions
from scheduler.models.upkeep import UpkeepTask
from scheduler.upkeep.schedule import Schedule


def ensure_tasks(engine: Engine, schedules: Iterable[tuple[str, Schedule]], now: datetime) -> None:
    """A row for every task, and a new due time for a task whose schedule changed."""
    wanted = dict(schedules)
    with read_only_transactions(), engine.connect() as conn:  # looking takes no write lock
        known = dict(conn.execute(select(UpkeepTask.name, UpkeepTask.schedule)).all())
        conn.rollback()
    for name, schedule in wanted.items():
        if known.get(name) == schedule.key:
            continue
        with engine.begin() as conn:
            if name not in known:
                inserted = _insert_missing(conn, name, schedule, now)
                if inserted:
                    continue
            # A changed setting: the due time follows the new schedule (unless another
            # process did this already).
            conn.execute(
                update(UpkeepTask)
                .where(UpkeepTask.name == name, UpkeepTask.schedule != schedule.key)
                .values(schedule=schedule.key, next_run_at=schedule.first(now))
            )


def _insert_missing(conn, name: str, schedule: Schedule, now: datetime) -> bool:
    values = {"name": name, "schedule": schedule.key, "next_run_at": schedule.first(now)}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    result = conn.execute(insert(UpkeepTask).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1


def due_tasks(engine: Engine, now: datetime) -> set[str]:
    """The tasks due and free at ``now``, as far as a look without a write lock can tell
    (only these are worth trying to take: on SQLite every attempt takes the write lock)."""
    with read_only_transactions(), engine.connect() as conn:
        names = set(
            conn.execute(
                select(UpkeepTask.name).where(
                    UpkeepTask.next_run_at.is_not(None),
                    UpkeepTask.next_run_at <= now,
                    or_(UpkeepTask.lease_until.is_(None), UpkeepTask.lease_until < now),
                )
            ).scalars()
        )
        conn.rollback()
        return names


def take(engine: Engine, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take the lease on a due task for ``holder``; False if it is not due or held."""
    with engine.begin() as conn:
        result = conn.execute(
            update(UpkeepTask)
            .where(
                UpkeepTask.name == name,
                UpkeepTask.next_run_at.is_not(None),
                UpkeepTask.next_run_at <= now,
                or_(UpkeepTask.lease_until.is_(None), UpkeepTask.lease_until < now),
            )
            .values(lease_holder=holder, lease_until=now + lease)
        )
        return result.rowcount == 1


def make_due(engine: Engine, name: str, now: datetime) -> None:
    """Bring a task's next run forward to ``now`` (an operator's "run it now")."""
    with engine.begin() as conn:
        conn.execute(update(UpkeepTask).where(UpkeepTask.name == name).values(next_run_at=now))


def due_time(engine: Engine, name: str) -> datetime | None:
    with read_only_transactions(), engine.connect() as conn:
        value = conn.execute(select(UpkeepTask.next_run_at).where(UpkeepTask.name == name)).scalar()
        conn.rollback()
        return value


def release_held(engine: Engine, holder: str) -> list[str]:
    """Give up every lease ``holder`` holds, its tasks still due (a process that stops
    in the middle of a run: another process runs them at its next poll instead of after
    the lease expires). The tasks whose leases were released."""
    with engine.begin() as conn:
        return list(
            conn.scalars(
                update(UpkeepTask)
                .where(UpkeepTask.lease_holder == holder)
                .values(lease_holder=None, lease_until=None)
                .returning(UpkeepTask.name)
            )
        )


def hand_back(engine: Engine, name: str, holder: str, next_run_at: datetime | None) -> bool:
    """Release the lease with the next due time; False if the lease was lost meanwhile
    (it expired and another process took it: that one sets the next time)."""
    with engine.begin() as conn:
        result = conn.execute(
            update(UpkeepTask)
            .where(UpkeepTask.name == name, UpkeepTask.lease_holder == holder)
            .values(lease_holder=None, lease_until=None, next_run_at=next_run_at)
        )
        return result.rowcount == 1
