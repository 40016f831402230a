"""/metrics tells an alerting system when the upkeep stopped or fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from scheduler.models import UpkeepTask
from scheduler.timeutil import utcnow
from scheduler.upkeep import runner
from scheduler.upkeep.runner import run_due
from scheduler.upkeep.tasks import TASKS, Task
from tests.operations.test_metrics import scrape, value


@pytest.fixture
def two_tasks(schedule) -> None:
    schedule(tokens="every 1h", sweep="every 1h")


def test_overdue_and_failing_tasks_show_in_metrics(two_tasks, app, db, client, monkeypatch) -> None:
    def broken(_ctx):
        raise RuntimeError("no")

    monkeypatch.setattr(
        runner,
        "TASKS",
        tuple(Task(t.name, t.setting, broken) if t.name == "tokens" else t for t in TASKS),
    )
    assert {r.task: r.outcome for r in run_due(app)} == {"tokens": "failed", "sweep": "ok"}
    found = scrape(client)
    assert value(found, "scheduler_upkeep_last_run_failed", task="tokens") == 1
    assert value(found, "scheduler_upkeep_last_run_failed", task="sweep") == 0
    assert value(found, "scheduler_upkeep_overdue_seconds", task="sweep") == 0

    # Nobody ran the sweep for ten minutes after it fell due (every process stopped).
    db.session.execute(
        update(UpkeepTask)
        .where(UpkeepTask.name == "sweep")
        .values(next_run_at=utcnow() - timedelta(minutes=10))
    )
    db.session.commit()
    assert value(scrape(client), "scheduler_upkeep_overdue_seconds", task="sweep") >= 600
