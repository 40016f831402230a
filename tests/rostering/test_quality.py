"""The roster's quality in words: the gap between its score and the solver's bound."""

from __future__ import annotations

from datetime import timedelta

from scheduler.models import RosterRun
from scheduler.rostering.quality import Quality, roster_quality
from scheduler.timeutil import utcnow


def test_gap_and_percent() -> None:
    assert Quality(1000, None).gap is None
    assert Quality(1000, None).percent is None
    assert Quality(1000, 1000).percent == 0
    assert Quality(1000, 990).gap == 0.01
    assert Quality(1000, 990).percent == 1
    assert Quality(1000, 971).percent == 3  # 2.9 % is "within 3 %", never "within 2 %"
    assert Quality(900, 1000).gap == 0.0  # an edit beat a bound made with pins
    assert Quality(0, 0).percent == 0


def test_the_bound_comes_from_the_last_applied_run(db, world) -> None:
    now = utcnow()
    db.session.add_all(
        [
            RosterRun(period=world.period, objective=120, bound=100, applied_at=now),
            RosterRun(period=world.period, objective=130, bound=90, applied_at=None),
            RosterRun(period=world.period, objective=140, bound=80, applied_at=now - timedelta(1)),
        ]
    )
    db.session.flush()
    assert roster_quality(db.session, world.period, 125) == Quality(125, 100)
