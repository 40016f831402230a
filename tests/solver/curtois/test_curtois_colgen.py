"""Row generation on the colgen package, diving, the column MIP, descent and the row greedy:
rows stay feasible, bounds stay below optima."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model

from scheduler.solver.curtois.decomposition import RowsMaster
from scheduler.solver.curtois.descent import best_row, construct, descend
from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.greedy import greedy_row, row_is_feasible
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.model import Tables, build, full_free
from scheduler.solver.curtois.pricing import RowPricer, row_requests
from scheduler.solver.curtois.reader import read_instance


def optimum(instance: Instance) -> int:
    tables = Tables.of(instance)
    built = build(tables, tables.empty_grid(), full_free(tables), hint=False)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(built.model) == cp_model.OPTIMAL
    return round(solver.ObjectiveValue()) + built.offset


def tiny(make_instance: Callable[..., Instance], staff_line: Callable[..., str]) -> Instance:
    return make_instance(
        horizon=14,
        shifts=["D,480,", "N,480,D"],
        staff=[
            staff_line(
                e,
                "D=14|N=4",
                min_minutes=480 * 6,
                max_minutes=480 * 9,
                max_consecutive=4,
                min_consecutive=2,
                min_days_off=2,
                max_weekends=1,
            )
            for e in "ABC"
        ],
        days_off=["A,3", "B,9"],
        on=["A,0,D,2", "C,5,N,1"],
        off=["B,2,D,3"],
        cover=[f"{d},D,2,100,1" for d in range(14)] + [f"{d},N,1,100,1" for d in range(14)],
    )


def test_dive_gives_feasible_rows_and_a_valid_bound(make_instance, staff_line) -> None:
    instance = tiny(make_instance, staff_line)
    tables = Tables.of(instance)
    best = optimum(instance)
    # Start from a feasible roster: each employee's own feasible row.
    grid = tables.empty_grid()
    for e in range(tables.n_staff):
        built = build(tables, grid, {e: list(range(14))}, hint=False)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.Solve(built.model) == cp_model.OPTIMAL
        grid = built.read(solver, grid)
    pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
    rows = RowsMaster(tables, pricers, exact_time=5)
    rows.add_grid(grid)
    result = rows.generate(time.monotonic() + 10)
    dived = rows.dive(time.monotonic() + 10)
    assert dived is not None
    evaluation = evaluate(instance, tables.grid_to_roster(dived))
    assert evaluation.violations == ()
    assert evaluation.score >= best
    assert result.bound is not None
    assert result.bound <= best + 1e-6
    mixed = rows.best_mix(dived, 5, 1, 0)
    assert mixed is not None
    assert tables.penalty(mixed[0]) == mixed[1]
    assert best <= mixed[1] <= tables.penalty(dived)


def test_best_mix_picks_the_best_rows(make_instance, staff_line) -> None:
    instance = make_instance(
        staff=[staff_line("A"), staff_line("B")], cover=["0,D,1,100,1", "1,D,1,100,1"]
    )
    tables = Tables.of(instance)
    rows = RowsMaster(tables, [RowPricer(tables, e) for e in range(2)])
    off, day0, day1 = (-1,) * 7, (0,) + (-1,) * 6, (-1, 0) + (-1,) * 5
    for e in (0, 1):
        for row in (off, day0, day1):
            rows.add(e, row)
    assert rows.add(0, day0) == rows.add(0, day0)  # a row is one column
    grid, value = rows.best_mix(tables.empty_grid(), 5, 1, 0)
    assert value == 0
    assert sorted(map(tuple, grid)) == sorted([day0, day1])


def test_request_cost_counts_unmet_on_and_granted_off(make_instance) -> None:
    instance = make_instance(on=["A,0,D,2"], off=["A,1,D,3"])
    tables = Tables.of(instance)
    assert row_requests(tables, 0, (-1,) * 7) == 2
    assert row_requests(tables, 0, (0, 0) + (-1,) * 5) == 3


def test_greedy_rows_of_the_largest_instance_are_feasible(benchmark_dir: Path) -> None:
    instance = read_instance(benchmark_dir / "Instance24.txt")
    tables = Tables.of(instance)
    grid = tables.empty_grid()
    feasible = 0
    for e in range(10):
        grid[e] = greedy_row(tables, grid, e)
        feasible += row_is_feasible(tables, e, grid[e])
    assert feasible >= 8


@pytest.mark.parametrize("seed", range(25))
def test_column_generation_bound_never_exceeds_the_optimum(seed: int, random_instance) -> None:
    """Random small instances solved exactly by the full CP-SAT model: the Lagrangian
    bound of row generation stays below the optimum, and is close to it."""
    instance = random_instance(seed, "ABC")
    tables = Tables.of(instance)
    built = build(tables, tables.empty_grid(), full_free(tables), hint=False)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.Solve(built.model)
    pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
    grid = construct(tables, pricers, time.monotonic() + 10, random.Random(seed))
    if status == cp_model.INFEASIBLE:
        assert grid is None
        return
    assert status == cp_model.OPTIMAL
    best = round(solver.ObjectiveValue()) + built.offset
    assert grid is not None
    rows = RowsMaster(tables, pricers, exact_time=5)
    rows.add_grid(grid)
    result = rows.generate(time.monotonic() + 20)
    assert result.converged
    assert result.bound is not None
    assert result.bound <= best + 1e-6
    # Converged with exact pricing: the bound meets the LP value (rounded up, as the
    # objective is integral).
    assert math.ceil(result.bound - 1e-6) >= math.ceil(result.lp_value - 1e-6)


def test_rounds_after_each_dive_bound_an_unfinished_root_lp(random_instance) -> None:
    """Where the root LP stops before it converges (the large instances), the pricing
    rounds after each dive give the reported bound: it exists, and it never exceeds the
    optimum (random small instances solved exactly, the root LP cut to one round)."""
    from scheduler.solver.curtois import solve as curtois_solve

    unfinished = 0
    for seed in range(12):
        instance = random_instance(seed, "ABC")
        tables = Tables.of(instance)
        built = build(tables, tables.empty_grid(), full_free(tables), hint=False)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        if solver.Solve(built.model) != cp_model.OPTIMAL:
            continue
        best = round(solver.ObjectiveValue()) + built.offset
        pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
        rng = random.Random(seed)
        grid = construct(tables, pricers, time.monotonic() + 10, rng)
        assert grid is not None
        rows = RowsMaster(tables, pricers, exact_time=5)
        rows.add_grid(grid)
        root = rows.generate(time.monotonic() + 20, max_rounds=1)
        if root.converged:
            continue
        unfinished += 1
        state = curtois_solve._State(grid=grid, value=tables.penalty(grid))
        until = time.monotonic() + 30
        curtois_solve._dives(tables, state, rows, pricers, rng, until, 2, converged=False)
        assert state.bound is not None, f"seed {seed}: no bound after the dives"
        assert state.bound <= best, f"seed {seed}: bound {state.bound} > optimum {best}"
        assert state.value >= best
    assert unfinished >= 4, "too few instances whose one-round root LP was unfinished"


def test_descent_never_worsens_and_keeps_rows_feasible(first_roster) -> None:
    first = first_roster("Instance5.txt", 30)
    tables = first.tables
    start = tables.penalty(first.grid)
    better, value = descend(tables, first.grid, first.pricers, time.monotonic() + 30, first.rng)
    assert value == tables.penalty(better)
    assert value < start
    assert evaluate(first.instance, tables.grid_to_roster(better)).score == value


@pytest.mark.slow
def test_rows_the_greedy_cannot_make_feasible_come_from_the_row_dp(
    benchmark_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instance22 (364 days): six of the greedy's 50 rows break a rule. Each is the DP's best
    row against the cover so far, not a CP-SAT row model (which took about 6 s a row and
    made the first roster come 40 s into a 60 s run)."""
    from scheduler.solver.curtois import solve as curtois_solve

    def no_row_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the CP-SAT row model was built")

    mended: list[int] = []

    def dp_row(pricer: RowPricer, *args: Any) -> tuple[list[int] | None, float]:
        mended.append(pricer.e)
        return best_row(pricer, *args)

    tables = Tables.of(read_instance(benchmark_dir / "Instance22.txt"))
    monkeypatch.setattr(curtois_solve, "build", no_row_model)
    monkeypatch.setattr(curtois_solve, "best_row", dp_row)
    pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
    deadline = time.monotonic() + 600
    grid = curtois_solve._construct(tables, deadline, 1, 0, budget=60, pricers=pricers)
    assert grid is not None
    assert len(mended) == 6
    assert all(row_is_feasible(tables, e, row) for e, row in enumerate(grid))
    assert evaluate(tables.instance, tables.grid_to_roster(grid)).score == tables.penalty(grid)


@pytest.mark.slow
def test_repeated_dives_take_other_ways_down_and_keep_the_best(first_roster) -> None:
    """Instance6 (LP bound 1,949, best known 1,950): each dive leaves its rows in the
    master, so the next starts from a richer LP and may end elsewhere; the search keeps
    the best roster of all (one dive from a seed-0 first roster gave 2,250, and the
    search after it ended near 2,045 in 60 s; eight dives reach 1,952)."""
    from scheduler.solver.curtois import solve as curtois_solve

    roster = first_roster("Instance6.txt", 10)
    tables = roster.tables
    rows = RowsMaster(tables, roster.pricers, exact_time=0.5)
    rows.add_grid(roster.grid)
    bound = rows.generate(time.monotonic() + 60).bound
    assert bound is not None
    assert 1_940 < bound <= 1_950
    dived: list[tuple[tuple[int, ...], ...]] = []
    pool: list[int] = []
    dive = rows.dive

    def recorded(until: float, rounds_per_step: int = 30) -> list[list[int]] | None:
        pool.append(len(rows.master.columns))
        grid = dive(until, rounds_per_step)
        assert grid is not None
        assert all(row_is_feasible(tables, e, row) for e, row in enumerate(grid))
        dived.append(tuple(map(tuple, grid)))
        return grid

    rows.dive = recorded  # type: ignore[method-assign]
    state = curtois_solve._State(grid=roster.grid, value=tables.penalty(roster.grid))
    until = time.monotonic() + 300
    curtois_solve._dives(tables, state, rows, roster.pricers, roster.rng, until, max_dives=8)
    assert len(dived) == 8
    assert pool[-1] > pool[0]
    assert len(set(dived)) > 1
    assert state.value <= min(tables.penalty([list(r) for r in grid]) for grid in dived)
    assert state.value <= 2_000
    assert evaluate(tables.instance, tables.grid_to_roster(state.grid)).score == state.value
