"""A process that stops cleanly mid-run: its upkeep thread starts no further task and
gives the running task's lease up, so another process runs it at its next poll instead
of ten minutes later (when the lease would expire)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from scheduler.extensions import db as _db
from scheduler.models import UpkeepTask
from scheduler.timeutil import utcnow
from scheduler.upkeep import lease, runner
from scheduler.upkeep.runner import run_due
from scheduler.upkeep.schedule import parse_schedule
from scheduler.upkeep.tasks import Task
from scheduler.upkeep.thread import UpkeepThread
from tests.upkeep.test_lease import _runs


def _task(app, name: str) -> UpkeepTask:
    with app.app_context():
        row = _db.session.scalars(select(UpkeepTask).where(UpkeepTask.name == name)).one()
        _db.session.expunge(row)
        _db.session.remove()
        return row


def test_stopping_mid_run_gives_the_lease_up_and_starts_nothing_more(
    schedule, app_config, make_app, monkeypatch
) -> None:
    schedule(sweep="every 1h", tokens="every 1h")
    app_config["UPKEEP_LEASE_SECONDS"] = 600
    app = make_app()
    started, release = threading.Event(), threading.Event()

    def slow_sweep(ctx) -> dict[str, int]:
        started.set()
        release.wait(30)
        return {}

    tasks = tuple(
        Task(t.name, t.setting, slow_sweep) if t.name == "sweep" else t for t in runner.TASKS
    )
    monkeypatch.setattr(runner, "TASKS", tasks)
    upkeep = UpkeepThread(app, poll_seconds=0.05)
    upkeep.start()
    try:
        assert started.wait(30), "the sweep never started"
        assert _task(app, "sweep").lease_holder == upkeep.holder
        upkeep.stop(timeout=0.2)  # the sweep is still running

        sweep = _task(app, "sweep")
        assert sweep.lease_holder is None
        assert sweep.lease_until is None
        assert sweep.next_run_at is not None
        assert sweep.next_run_at <= utcnow()
        release.set()  # the interrupted run ends (its process would have exited)
        upkeep.thread.join(timeout=30)
        assert not upkeep.thread.is_alive()
    finally:
        release.set()
    # The stopped thread started nothing after the sweep (tokens comes after it), and
    # another process runs both now, not after the 600 s lease.
    assert ("tokens", upkeep.holder) not in [(r.task, r.holder) for r in _runs(app)]
    assert sorted(r.task for r in run_due(app, holder="web-2")) == ["sweep", "tokens"]


def test_release_held_frees_only_that_holders_leases(app) -> None:
    hourly = parse_schedule("every 1h", "UTC", "UPKEEP_SWEEP")
    now = utcnow()
    with app.app_context():
        lease.ensure_tasks(_db.engine, [("sweep", hourly), ("tokens", hourly)], now)
        assert lease.take(_db.engine, "sweep", "web-1", now, timedelta(minutes=10))
        assert lease.take(_db.engine, "tokens", "web-2", now, timedelta(minutes=10))
        assert lease.release_held(_db.engine, "web-1") == ["sweep"]
        assert lease.release_held(_db.engine, "web-1") == []
        _db.session.remove()
    sweep = _task(app, "sweep")
    assert sweep.lease_holder is None
    assert sweep.next_run_at is not None
    assert sweep.next_run_at <= now
    assert _task(app, "tokens").lease_holder == "web-2"
