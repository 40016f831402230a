"""Distributed mode: two `scheduler worker` processes on Redis both enqueue the upkeep
periodic task every minute; the lease lets one of them run each due task, once."""

from __future__ import annotations

import itertools
import time

import pytest
from sqlalchemy import select

from scheduler.extensions import db as _db
from scheduler.models import UpkeepRun, WorkerHeartbeat

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _rows(app, model) -> list:
    with app.app_context():
        rows = list(_db.session.scalars(select(model)))
        _db.session.remove()
        return rows


def test_two_workers_run_the_schedule_once(broker_app, start_worker) -> None:
    """(``broker_app`` and ``start_worker`` are tests/test_queue.py's, on PostgreSQL.)

    Each worker beats for itself, whichever of them runs the upkeep task's copies."""
    workers = [start_worker(), start_worker()]
    # Huey's periodic tasks fire at the start of each minute: wait for the first one
    # (and a little more, for the second worker's copy of it to be run as well).
    deadline = time.monotonic() + 100
    runs: list[UpkeepRun] = []
    while time.monotonic() < deadline:
        runs = [r for r in _rows(broker_app, UpkeepRun) if r.finished_at is not None]
        beats = _rows(broker_app, WorkerHeartbeat)
        if runs and len(beats) == 2:
            break
        time.sleep(1)
    assert runs, "no upkeep ran within 100 s"
    time.sleep(5)
    for proc in workers:
        assert proc.poll() is None
    runs = _rows(broker_app, UpkeepRun)
    assert all(r.outcome == "ok" for r in runs)
    # Both workers look each minute. The tokens (every 15 min) ran once; the tasks due
    # every minute ran at most once a minute, never once per worker.
    assert [r.task for r in runs].count("tokens") == 1
    for task in ("calendars", "sweep"):
        started = sorted(r.started_at for r in runs if r.task == task)
        assert started, task
        gaps = [b - a for a, b in itertools.pairwise(started)]
        assert all(gap.total_seconds() > 45 for gap in gaps), (task, started)
    assert {r.task for r in runs} == {"calendars", "sweep", "tokens"}
    beats = _rows(broker_app, WorkerHeartbeat)
    assert len(beats) == 2
    assert {b.kind for b in beats} == {"worker"}


def test_a_worker_beats_at_once_without_the_upkeep_schedule(
    broker_app, start_worker, monkeypatch
) -> None:
    """A worker that only runs jobs still shows as alive on the operators' page, from its
    start rather than from the first minute's upkeep task (which it does not run)."""
    monkeypatch.setenv("SCHEDULER_UPKEEP_ENABLED", "false")
    proc = start_worker()
    deadline = time.monotonic() + 30
    beats: list[WorkerHeartbeat] = []
    while time.monotonic() < deadline and not beats:
        time.sleep(0.5)
        beats = _rows(broker_app, WorkerHeartbeat)
    assert proc.poll() is None
    assert [(b.kind, b.pid) for b in beats] == [("worker", proc.pid)]
    assert _rows(broker_app, UpkeepRun) == []
