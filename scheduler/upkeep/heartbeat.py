"""Worker heartbeats: each process that runs background work says it is alive.

One row per process (host and pid), refreshed on every round of its upkeep thread or
worker; the operators' page lists them with how long ago each was seen, so a worker
that stopped shows as silent rather than vanishing.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from functools import cache
from importlib import metadata

from sqlalchemy import update
from sqlalchemy.engine import Engine

from scheduler.models.upkeep import WorkerHeartbeat
from scheduler.timeutil import utcnow


@cache
def version() -> str:
    """The installed version of the application."""
    try:
        return metadata.version("scheduler")
    except metadata.PackageNotFoundError:
        return "unknown"


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:150]


def beat(engine: Engine, kind: str, now: datetime | None = None) -> None:
    """Record that this process (a ``web`` process's threads, or a ``worker``) is alive."""
    now = now or utcnow()
    name = process_name()
    with engine.begin() as conn:
        updated = conn.execute(
            update(WorkerHeartbeat)
            .where(WorkerHeartbeat.name == name)
            .values(seen_at=now, kind=kind, version=version())
        ).rowcount
        if updated:
            return
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(
            insert(WorkerHeartbeat)
            .values(
                name=name,
                kind=kind,
                host=socket.gethostname()[:100],
                pid=os.getpid(),
                version=version(),
                started_at=now,
                seen_at=now,
            )
            .on_conflict_do_nothing()
        )
