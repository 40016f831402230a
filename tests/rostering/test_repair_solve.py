"""The repair's widening neighbourhoods, on tiny problems (no database)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from scheduler.rostering.repair_solve import neighbourhood, solve_repair
from scheduler.solver import problem as sp

solver = pytest.importorskip("scheduler.solver")
if not hasattr(solver, "solve"):
    pytest.skip("the roster engine is absent", allow_module_level=True)

MONDAY = date(2027, 1, 4)
SICK = sp.Unavailable(datetime(2027, 1, 5), datetime(2027, 1, 6), "absence (sick)")


def person(pid: str, skills: tuple[str, ...], max_week: float = 16, **kw) -> sp.Staff:
    return sp.Staff(pid, pid, True, skills, 0, max_week, 8, **kw)


def shift(sid: str, day: int, skills: tuple[str, ...] = ()) -> sp.Shift:
    return sp.Shift(
        sid, "desk", datetime(2027, 1, 4 + day, 8), datetime(2027, 1, 4 + day, 10), 1, 1, skills
    )


def problem(staff: tuple[sp.Staff, ...], shifts: tuple[sp.Shift, ...], previous) -> sp.Problem:
    return sp.Problem(
        timezone="Europe/Oslo",
        start=MONDAY,
        weeks=2,
        service_points=(sp.ServicePoint("desk", "Desk", True, True),),
        shifts=shifts,
        staff=staff,
        rules=sp.Rules(min_hours_per_week=0, allow_understaffing=True),
        previous=tuple(sp.Assignment(s, p) for s, p in previous),
    )


def test_the_days_neighbourhood_pins_the_rest_and_drops_other_weeks() -> None:
    p = problem(
        (person("x", ()), person("y", (), unavailable=(SICK,)), person("z", ())),
        (shift("mon", 0), shift("tue", 1), shift("wed", 2), shift("next-mon", 7)),
        [("mon", "x"), ("tue", "y"), ("wed", "z"), ("next-mon", "x")],
    )
    derived, outside = neighbourhood(p, {date(2027, 1, 5)})
    assert [s.id for s in derived.shifts] == ["mon", "tue", "wed"]
    assert set(derived.pinned) == {sp.Assignment("mon", "x"), sp.Assignment("wed", "z")}
    assert outside == [sp.Assignment("next-mon", "x")]
    assert derived.rules.weights["change"] == 1000
    result = solve_repair(solver.solve, p, time_limit=5, workers=1)
    assert result.scope == "days"
    kept = set(result.solution.assignments)
    assert set(p.previous) - kept == {sp.Assignment("tue", "y")}  # all else kept
    (cover,) = [a for a in kept if a.shift == "tue"]
    assert cover.staff in ("x", "z")
    assert result.solution.uncovered == []


def test_widens_when_the_affected_day_alone_cannot_be_covered() -> None:
    """Only x may take Tuesday, and x's week is full with Monday: z takes Monday."""
    p = problem(
        (
            person("x", ("desk",), max_week=2),
            person("y", ("desk",), unavailable=(SICK,)),
            person("z", ()),
        ),
        (shift("mon", 0), shift("tue", 1, ("desk",))),
        [("mon", "x"), ("tue", "y")],
    )
    result = solve_repair(solver.solve, p, time_limit=6, workers=1)
    assert [t["scope"] for t in result.tried] == ["days", "days+-1"]
    assert result.tried[0]["missing_minutes"] == 120
    assert result.scope == "days+-1"
    assert set(result.solution.assignments) == {
        sp.Assignment("mon", "z"),
        sp.Assignment("tue", "x"),
    }
    assert result.solution.uncovered == []
    # (scheduler.solver.check names the module once it is imported: import the function)
    from scheduler.solver.check import check

    report = check(p, result.solution.assignments)
    assert report.ok
    assert report.objective == result.solution.objective
