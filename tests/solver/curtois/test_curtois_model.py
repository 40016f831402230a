"""The CP-SAT model: every benchmark rule, feasible and infeasible, on tiny instances.

Each solved roster is re-scored by the independent evaluator, whose score must equal the
model's objective (offset included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.model import Tables, build, full_free

Make = Callable[..., Instance]


def solve(instance: Instance) -> int | None:
    """Optimal objective of the full model, checked against the evaluator; None if infeasible."""
    tables = Tables.of(instance)
    built = build(tables, tables.empty_grid(), full_free(tables), hint=False)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    status = solver.Solve(built.model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    value = round(solver.ObjectiveValue()) + built.offset
    grid = built.read(solver, tables.empty_grid())
    evaluation = evaluate(instance, tables.grid_to_roster(grid))
    assert evaluation.violations == ()
    assert evaluation.score == value
    assert tables.penalty(grid) == value
    return value


def every_day(shift: str, requirement: int, days: range, under: int = 100, over: int = 1):
    return [f"{d},{shift},{requirement},{under},{over}" for d in days]


def test_one_shift_per_day(make_instance: Make, staff_line: Callable[..., str]) -> None:
    inst = make_instance(
        shifts=["D,480,", "E,480,"],
        staff=[staff_line("A", "D=7|E=7")],
        cover=["0,D,1,100,1", "0,E,1,100,1"],
    )
    assert solve(inst) == 100  # one of the two is short


def test_rotation_feasible_and_infeasible(make_instance: Make, staff_line: Callable[..., str]):
    def inst(shifts: int, **kw: Any) -> Instance:
        return make_instance(
            shifts=["D,480,D"], staff=[staff_line("A", "D=7", min_minutes=480 * shifts)], **kw
        )

    assert solve(inst(4)) == 0  # days 0, 2, 4, 6
    assert solve(inst(5)) is None
    # D then E is forbidden: cover wants D on day 0 and E on day 1.
    two = make_instance(
        shifts=["D,480,E", "E,480,"],
        staff=[staff_line("A", "D=7|E=7")],
        cover=["0,D,1,100,1", "1,E,1,100,1"],
    )
    assert solve(two) == 100
    # E then D is allowed.
    back = make_instance(
        shifts=["D,480,E", "E,480,"],
        staff=[staff_line("A", "D=7|E=7")],
        cover=["0,E,1,100,1", "1,D,1,100,1"],
    )
    assert solve(back) == 0


def test_max_shifts_per_type(make_instance: Make, staff_line: Callable[..., str]) -> None:
    assert solve(make_instance(staff=[staff_line("A", "D=3", min_minutes=1440)])) == 0
    assert solve(make_instance(staff=[staff_line("A", "D=2", min_minutes=1440)])) is None
    # A type with maximum 0 is never worked.
    inst = make_instance(
        shifts=["D,480,", "E,480,"],
        staff=[staff_line("A", "D=7|E=0")],
        cover=["0,E,1,100,1"],
    )
    assert solve(inst) == 100


def test_total_minutes(make_instance: Make, staff_line: Callable[..., str]) -> None:
    assert solve(make_instance(staff=[staff_line("A", min_minutes=480 * 7)])) == 0
    assert solve(make_instance(staff=[staff_line("A", min_minutes=480 * 7 + 1)])) is None
    capped = make_instance(
        staff=[staff_line("A", max_minutes=480 * 3)], cover=every_day("D", 1, range(7))
    )
    assert solve(capped) == 400  # four days short
    mixed = make_instance(
        shifts=["D,480,", "L,720,"],
        staff=[staff_line("A", "D=7|L=7", max_minutes=1200, min_minutes=1200)],
    )
    assert solve(mixed) == 0  # exactly one D and one L
    assert (
        solve(
            make_instance(
                shifts=["D,480,", "L,720,"],
                staff=[staff_line("A", "D=7|L=7", max_minutes=1100, min_minutes=1000)],
            )
        )
        is None
    )


def test_max_consecutive_shifts(make_instance: Make, staff_line: Callable[..., str]) -> None:
    assert solve(make_instance(staff=[staff_line("A", max_consecutive=3, min_minutes=2880)])) == 0
    assert (
        solve(make_instance(staff=[staff_line("A", max_consecutive=3, min_minutes=3360)])) is None
    )
    inst = make_instance(
        staff=[staff_line("A", max_consecutive=3)], cover=every_day("D", 1, range(7))
    )
    assert solve(inst) == 100  # WWW.WWW


def test_min_consecutive_shifts_inner_and_border(
    make_instance: Make, staff_line: Callable[..., str]
) -> None:
    # A lone working day inside the horizon is not allowed ...
    lone = make_instance(
        staff=[staff_line("A", min_consecutive=2, min_minutes=480)],
        days_off=["A,0,1,2,4,5,6"],
    )
    assert solve(lone) is None
    # ... but a lone working day at either border is.
    for free_day in (0, 6):
        days = ",".join(str(d) for d in range(7) if d != free_day)
        border = make_instance(
            staff=[staff_line("A", min_consecutive=2, min_minutes=480)], days_off=[f"A,{days}"]
        )
        assert solve(border) == 0
    # Cover wants day 3 only: the run must be two days long, one over-cover.
    cover = [f"{d},D,{1 if d == 3 else 0},100,1" for d in range(7)]
    inst = make_instance(staff=[staff_line("A", min_consecutive=2)], cover=cover)
    assert solve(inst) == 1


def test_min_consecutive_days_off_inner_and_border(
    make_instance: Make, staff_line: Callable[..., str]
) -> None:
    inner = make_instance(
        staff=[staff_line("A", min_days_off=2, min_minutes=480 * 6)], days_off=["A,3"]
    )
    assert solve(inner) is None
    relaxed = make_instance(
        staff=[staff_line("A", min_days_off=1, min_minutes=480 * 6)], days_off=["A,3"]
    )
    assert solve(relaxed) == 0
    # A single day off on day 0 or day 6 touches the border and is allowed.
    for off_day in (0, 6):
        border = make_instance(
            staff=[staff_line("A", min_days_off=2, min_minutes=480 * 6)],
            days_off=[f"A,{off_day}"],
        )
        assert solve(border) == 0
    # Cover on every day but day 3: taking one rest day there is forbidden.
    cover = [f"{d},D,{0 if d == 3 else 1},100,1" for d in range(7)]
    assert solve(make_instance(staff=[staff_line("A", min_days_off=1)], cover=cover)) == 0
    # With two days off required, working through day 3 (one over) is the best.
    assert solve(make_instance(staff=[staff_line("A", min_days_off=2)], cover=cover)) == 1


def test_max_weekends(make_instance: Make, staff_line: Callable[..., str]) -> None:
    def inst(max_weekends: int, worked: tuple[int, ...]) -> Instance:
        days = ",".join(str(d) for d in range(14) if d not in worked)
        return make_instance(
            horizon=14,
            staff=[staff_line("A", min_minutes=480 * len(worked), max_weekends=max_weekends)],
            days_off=[f"A,{days}"],
        )

    assert solve(inst(1, (5, 12))) is None  # two weekends
    assert solve(inst(2, (5, 12))) == 0
    assert solve(inst(1, (5, 6))) == 0  # Saturday and Sunday are one weekend
    assert solve(inst(1, (6, 12))) is None
    assert solve(inst(0, (4,))) == 0  # a Friday is no weekend


def test_days_off(make_instance: Make, staff_line: Callable[..., str]) -> None:
    assert (
        solve(make_instance(staff=[staff_line("A", min_minutes=480)], days_off=["A,0,1,2,3,4,5,6"]))
        is None
    )
    inst = make_instance(days_off=["A,2"], cover=every_day("D", 1, range(7)))
    assert solve(inst) == 100


def test_shift_on_and_off_requests(make_instance: Make, staff_line: Callable[..., str]) -> None:
    assert solve(make_instance(on=["A,1,D,3"])) == 0
    assert solve(make_instance(on=["A,1,D,3"], days_off=["A,1"])) == 3
    # Another shift than the requested one also breaks the request.
    other = make_instance(
        shifts=["D,480,", "E,480,"],
        staff=[staff_line("A", "D=7|E=7")],
        on=["A,1,D,2"],
        cover=["1,E,1,100,1"],
    )
    assert solve(other) == 2
    assert solve(make_instance(off=["A,1,D,2"], cover=["1,D,1,100,1"])) == 2
    assert solve(make_instance(off=["A,1,D,2"], cover=["1,D,1,1,1"])) == 1


def test_cover_under_and_over(make_instance: Make, staff_line: Callable[..., str]) -> None:
    staff = [staff_line("A", min_minutes=480), staff_line("B", min_minutes=480)]
    # Both must work a day; cover rows (requirement 0 elsewhere) make the second one over.
    cover = [f"{d},D,{1 if d == 0 else 0},100,3" for d in range(7)]
    assert solve(make_instance(staff=staff, cover=cover)) == 3
    assert solve(make_instance(staff=staff, cover=["0,D,3,7,1"])) == 7
    # A (day, shift) with no cover row has no cover term.
    assert solve(make_instance(staff=staff, cover=["0,D,0,100,1"])) == 0
