"""The lease: however many processes look at once, each due run happens once, a dead
holder's lease expires, and a changed schedule is followed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from scheduler.extensions import db as _db
from scheduler.models import UpkeepRun, UpkeepTask
from scheduler.upkeep import lease
from scheduler.upkeep.runner import run_due
from scheduler.upkeep.schedule import parse_schedule

T0 = datetime(2027, 1, 4, 7, tzinfo=UTC)


@pytest.fixture
def tokens_every_10m(schedule) -> None:
    schedule(tokens="every 10m")


def _runs(app) -> list[UpkeepRun]:
    with app.app_context():
        runs = list(_db.session.scalars(select(UpkeepRun).order_by(UpkeepRun.id)))
        _db.session.remove()
        return runs


def _race(app, racers: int, now: datetime) -> tuple[list[str], list[BaseException]]:
    """``racers`` threads call ``run_due`` at the same instant; the tasks they ran."""
    start = threading.Barrier(racers)
    ran: list[str] = []
    errors: list[BaseException] = []

    def look(i: int) -> None:
        try:
            start.wait(timeout=30)
            ran.extend(r.task for r in run_due(app, holder=f"racer-{i}", now=now))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=look, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return ran, errors


def test_racing_threads_run_each_due_run_once(tokens_every_10m, app) -> None:
    """Eight threads look at the same instant, five times ten minutes apart: five runs."""
    for round_ in range(5):
        now = T0 + round_ * timedelta(minutes=10)
        ran, errors = _race(app, 8, now)
        assert errors == []
        assert ran == ["tokens"], f"round {round_}: {ran}"
        # Looking again at the same instant finds nothing due.
        assert run_due(app, holder="late", now=now + timedelta(seconds=1)) == []
    runs = _runs(app)
    assert [r.task for r in runs] == ["tokens"] * 5
    assert [r.started_at for r in runs] == [T0 + k * timedelta(minutes=10) for k in range(5)]
    assert all(r.outcome == "ok" and r.finished_at is not None for r in runs)


def test_a_dead_holders_lease_expires_and_another_runs_the_task(tokens_every_10m, app) -> None:
    with app.app_context():
        engine = _db.engine
        every = parse_schedule("every 10m")
        lease.ensure_tasks(engine, [("tokens", every)], T0)
        assert lease.take(engine, "tokens", "dies", T0, timedelta(minutes=10))
        # Held: nobody else runs it, even though it is due.
        assert not lease.take(engine, "tokens", "other", T0 + timedelta(minutes=5), timedelta(1))
    assert run_due(app, holder="other", now=T0 + timedelta(minutes=9)) == []
    # After the lease ran out, the next look runs it.
    ran = run_due(app, holder="other", now=T0 + timedelta(minutes=11))
    assert [r.task for r in ran] == ["tokens"]
    with app.app_context():
        # The dead holder coming back cannot hand back what it no longer holds.
        assert not lease.hand_back(_db.engine, "tokens", "dies", T0)
        row = _db.session.get(UpkeepTask, "tokens")
        assert row.lease_holder is None
        assert row.next_run_at == T0 + timedelta(minutes=20)  # counted from when it was due


def test_a_run_cut_off_is_recorded_as_failed_by_the_next_holder(tokens_every_10m, app) -> None:
    # A process took the task and started a run, then died with the lease held.
    with app.app_context():
        engine = _db.engine
        lease.ensure_tasks(engine, [("tokens", parse_schedule("every 10m"))], T0)
        assert lease.take(engine, "tokens", "dies", T0, timedelta(minutes=10))
        _db.session.add(UpkeepRun(task="tokens", holder="dies", started_at=T0))
        _db.session.commit()
        _db.session.remove()
    later = T0 + timedelta(minutes=11)
    assert [r.task for r in run_due(app, holder="other", now=later)] == ["tokens"]
    cut, new = _runs(app)
    assert (cut.holder, cut.outcome, cut.finished_at) == ("dies", "failed", later)
    assert cut.error.startswith("Interrupted")
    assert "other" in cut.error
    assert (new.holder, new.outcome) == ("other", "ok")
    # A finished run is history: the next run leaves it as it was.
    assert [r.task for r in run_due(app, holder="third", now=T0 + timedelta(minutes=21))] == [
        "tokens"
    ]
    runs = _runs(app)
    assert [(r.holder, r.outcome) for r in runs] == [
        ("dies", "failed"),
        ("other", "ok"),
        ("third", "ok"),
    ]
    assert runs[0].finished_at == later


def test_a_changed_schedule_is_followed(app) -> None:
    with app.app_context():
        engine = _db.engine
        zone = app.config["TIMEZONE"]
        lease.ensure_tasks(engine, [("purge", parse_schedule("daily 03:00", zone))], T0)
        row = _db.session.get(UpkeepTask, "purge")
        assert row.next_run_at == datetime(2027, 1, 5, 2, tzinfo=UTC)  # 03:00 in Oslo
        _db.session.rollback()
        lease.ensure_tasks(engine, [("purge", parse_schedule("every 1h", zone))], T0)
        row = _db.session.get(UpkeepTask, "purge")
        assert (row.schedule, row.next_run_at) == ("every 1h", T0)
        _db.session.remove()


@pytest.fixture
def everything_off(schedule) -> None:
    schedule()


def test_a_task_switched_off_does_not_run(everything_off, app) -> None:
    assert run_due(app, holder="me", now=T0) == []
    assert _runs(app) == []


def test_the_command_runs_what_is_due_or_one_task_now(everything_off, app, runner) -> None:
    result = runner.invoke(args=["upkeep"])
    assert result.exit_code == 0, result.output
    assert "Nothing was due" in result.output
    result = runner.invoke(args=["upkeep", "--task", "tokens"])
    assert result.exit_code == 0, result.output
    assert "tokens: ok (holds_released: 0, revoked_tokens: 0)" in result.output
    assert [r.task for r in _runs(app)] == ["tokens"]


def test_the_command_refuses_an_unknown_task(app, runner) -> None:
    result = runner.invoke(args=["upkeep", "--task", "laundry"])
    assert result.exit_code == 2
    assert "error: --task: 'laundry' is not a task" in result.output
    assert _runs(app) == []
