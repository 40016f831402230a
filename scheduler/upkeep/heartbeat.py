"""Worker heartbeats: each process that runs background work says it is alive.

One row per process (host and pid), refreshed on every round of its upkeep thread (web
processes) or by a :class:`BeatThread` of its own (``scheduler worker``); the operators'
page lists them with how long ago each was seen, so a worker that stopped shows as silent
rather than vanishing.

A worker's beat cannot ride on the once-a-minute upkeep task: every worker enqueues that
task, but any worker's thread may run any copy, so one process could run both copies and
the other would look silent while alive.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime
from functools import cache
from importlib import metadata

from flask import Flask
from sqlalchemy import update
from sqlalchemy.engine import Engine

from scheduler.database import _read_only
from scheduler.extensions import db
from scheduler.models.upkeep import WorkerHeartbeat
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)


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


def beat_in_app(app: Flask, kind: str) -> None:
    """:func:`beat` from a thread of its own: the app's engine, writes allowed."""
    token = _read_only.set(False)
    try:
        with app.app_context():
            beat(db.engine, kind)
    finally:
        _read_only.reset(token)


class BeatThread:
    """A daemon thread that beats for this process every ``every`` seconds, from the start;
    a database that is away only skips a beat (logged)."""

    def __init__(self, app: Flask, kind: str, every: float) -> None:
        self.app = app
        self.kind = kind
        self.every = every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="scheduler-heartbeat", daemon=True)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                beat_in_app(self.app, self.kind)
            except Exception:
                log.exception("heartbeat failed; trying again in %s s", self.every)
            self.stopping.wait(self.every)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
