"""Roster fixtures: a library with first-line points, a pool, a period with shifts.

Shifts are made directly here (not from demand rules) so that each test states exactly
the shifts it needs. ``fake_engine`` replaces the solver with a scripted one, so that
job lifecycle tests are fast and can hold a run in the middle (it replaces the app's
roster job handler, the one registration path every worker reads).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from scheduler.jobs import registry
from scheduler.models import (
    Channel,
    Role,
    RosterPeriod,
    ServicePoint,
    Shift,
)
from scheduler.rostering import runs
from scheduler.solver import problem as sp
from scheduler.timeutil import local_to_utc

MONDAY = date(2027, 1, 4)
TZ = "Europe/Oslo"


@dataclass
class RosterWorld:
    library: Any
    desk: ServicePoint
    back: ServicePoint
    period: RosterPeriod
    people: list
    shifts: list = field(default_factory=list)


@pytest.fixture
def make_shift(db):
    def _make(period, point, day: int, start: int, end: int, lo=1, hi=None, skills=""):
        d = period.start_date + timedelta(days=day)
        tz = period.library.timezone
        shift = Shift(
            period=period,
            service_point=point,
            starts_at=local_to_utc(d, datetime.min.time().replace(hour=start), tz),
            ends_at=local_to_utc(d, datetime.min.time().replace(hour=end), tz),
            min_staff=lo,
            max_staff=hi if hi is not None else lo,
            skills=skills,
        )
        db.session.add(shift)
        db.session.flush()
        return shift

    return _make


@pytest.fixture
def world(db, create_library, create_person, make_shift) -> RosterWorld:
    """Two desk shifts and one back-office shift on Monday; three pool members."""
    lib = create_library(timezone=TZ, is_main=True)
    desk = ServicePoint(library=lib, name="Desk", channel=Channel.DESK, position=0)
    back = ServicePoint(library=lib, name="Back office", channel=Channel.BACK_OFFICE, position=1)
    db.session.add_all([desk, back])
    people = [
        create_person(
            Role.FIRST_LINE,
            name=f"Pool {i}",
            libraries=[lib],
            skills=["desk", "chat"] if i != 2 else ["desk"],
            min_hours_per_week=4.0,
            max_hours_per_week=12.0,
            target_hours_per_week=4.0,
        )
        for i in range(3)
    ]
    period = RosterPeriod(library=lib, start_date=MONDAY, weeks=1)
    db.session.add(period)
    db.session.flush()
    w = RosterWorld(lib, desk, back, period, people)
    w.shifts = [
        make_shift(period, desk, 0, 8, 10, skills="desk"),
        make_shift(period, desk, 0, 10, 12, skills="desk"),
        make_shift(period, back, 0, 9, 11, skills="chat"),
    ]
    db.session.commit()
    return w


class ScriptedSolver:
    """A stand-in for ``scheduler.solver.solve`` with a script a test controls."""

    def __init__(self) -> None:
        self.status = "OPTIMAL"
        self.steps = [(30, 10), (20, 20)]  # (objective, bound) reported in turn
        self.hold = threading.Event()  # set by the test to let a held run finish
        self.hold.set()
        self.started = threading.Event()
        self.raise_input_error: str | None = None  # raised by solve()
        self.raise_error: str | None = None
        self.problems: list[sp.Problem] = []

    def solve(
        self, problem, *, time_limit=10, workers=2, seed=0, on_progress=None, stop_event=None
    ):
        self.problems.append(problem)
        self.started.set()
        if self.raise_input_error:
            raise FakeInputError("shifts[0].service_point", self.raise_input_error)
        if self.raise_error:
            raise RuntimeError(self.raise_error)
        t0 = time.monotonic()
        for objective, bound in self.steps:
            if on_progress:
                on_progress(sp.Progress(objective, bound, time.monotonic() - t0))
        deadline = time.monotonic() + 20
        while not self.hold.is_set() and not (stop_event and stop_event.is_set()):
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the scripted solver")
            time.sleep(0.02)
        stopped = bool(stop_event and stop_event.is_set())
        if self.status in ("INFEASIBLE", "UNKNOWN"):
            return sp.Solution(
                self.status, None, None, 0.1, explanation=["Not enough staff on Monday."]
            )
        assignments = self.assign(problem)
        objective = self.steps[-1][0] if self.steps else 0
        return sp.Solution(
            "FEASIBLE" if stopped else self.status,
            objective,
            self.steps[-1][1] if self.steps else 0,
            time.monotonic() - t0,
            assignments=assignments,
        )

    @staticmethod
    def assign(problem: sp.Problem) -> list[sp.Assignment]:
        """Pinned first, then the first skilled people up to min_staff (no other rules)."""
        out = list(problem.pinned)
        for shift in problem.shifts:
            have = sum(1 for a in out if a.shift == shift.id)
            for person in problem.staff:
                if have >= shift.min_staff:
                    break
                if (
                    set(shift.skills) <= set(person.skills)
                    and sp.Assignment(shift.id, person.id) not in out
                ):
                    out.append(sp.Assignment(shift.id, person.id))
                    have += 1
        return out


class FakeInputError(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


def _to_dict(value: Any) -> dict:
    def plain(v: Any) -> Any:
        if isinstance(v, (datetime, date)):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    return plain(asdict(value))


@pytest.fixture
def fake_engine(app, monkeypatch) -> ScriptedSolver:
    """The app's roster job, given the scripted solver instead of the engine."""
    scripted = ScriptedSolver()
    api = SimpleNamespace(
        solve=scripted.solve,
        InputError=FakeInputError,
        problem_to_dict=_to_dict,
        problem_from_dict=lambda data: data,
        solution_to_dict=_to_dict,
    )
    job = functools.partial(runs.run_roster_job, solver=api)
    monkeypatch.setitem(registry.handlers(app), runs.JOB_KIND, job)
    monkeypatch.setattr(runs, "PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr(runs, "CANCEL_POLL_S", 0.05)
    return scripted


def real_engine() -> Any:
    """The real engine, or skip when it is not on this branch yet."""
    solver = pytest.importorskip("scheduler.solver")
    if not hasattr(solver, "solve"):
        pytest.skip("the roster engine (scheduler.solver.solve) is not available yet")
    return solver
