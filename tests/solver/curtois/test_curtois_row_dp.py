"""The row DP against the employee's CP-SAT row model on random rules and random costs.

The CP-SAT row model (``model.build`` for one employee) is the reference: it states every
rule directly. For each random case the DP's row must keep every rule (checked by the
independent evaluator), its value must equal the row's cost, its bound must not exceed the
CP-SAT optimum, and when it claims the row is cheapest, the value must be that optimum.
"""

from __future__ import annotations

import numpy as np
import pytest
from ortools.sat.python import cp_model

from scheduler.solver.curtois.greedy import row_is_feasible
from scheduler.solver.curtois.model import OFF, Tables, build
from scheduler.solver.curtois.row_dp import RowDP, cheapest_row, row_cost

_SCALE = 1000


def cpsat_optimum(tables: Tables, e: int, cost: np.ndarray) -> float | None:
    """The cheapest row by CP-SAT (costs rounded to 1/1000), None when there is no row."""
    built = build(tables, tables.empty_grid(), {e: list(range(tables.horizon))}, hint=False,
                  objective=False)  # fmt: skip
    built.model.Minimize(
        sum(round(cost[d, t] * _SCALE) * var for (_, d, t), var in built.x.items())
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.Solve(built.model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    return solver.ObjectiveValue() / _SCALE


@pytest.mark.parametrize("seed", range(40))
def test_dp_matches_the_row_model(seed: int, random_instance) -> None:
    instance = random_instance(seed)
    tables = Tables.of(instance)
    rng = np.random.default_rng(seed)
    for e in range(tables.n_staff):
        cost = rng.integers(-100, 30, size=(tables.horizon, tables.n_shifts)).astype(float)
        optimum = cpsat_optimum(tables, e, cost)
        priced, _ = cheapest_row(RowDP(tables, e), cost, iterations=20)
        if optimum is None:
            assert priced.row is None
            continue
        assert priced.bound <= optimum + 1e-6
        if priced.row is not None:
            assert row_is_feasible(tables, e, priced.row)
            assert priced.value == pytest.approx(row_cost(cost, priced.row))
            assert priced.value >= optimum - 1e-6
        if priced.exact:
            assert priced.value == pytest.approx(optimum)


@pytest.mark.parametrize("seed", range(40, 60))
def test_dp_with_everything_priced_still_keeps_the_rules(seed: int, random_instance) -> None:
    """Minutes and weekends priced instead of counted: rows still keep every rule."""
    instance = random_instance(seed)
    tables = Tables.of(instance)
    rng = np.random.default_rng(seed)
    for e in range(tables.n_staff):
        cost = rng.integers(-100, 30, size=(tables.horizon, tables.n_shifts)).astype(float)
        optimum = cpsat_optimum(tables, e, cost)
        dp = RowDP(tables, e, exact_minutes=False, exact_weekends=False, state_budget=0)
        priced, _ = cheapest_row(dp, cost, iterations=20)
        if optimum is None:
            assert priced.row is None or not row_is_feasible(tables, e, priced.row)
            continue
        assert priced.bound <= optimum + 1e-6
        if priced.row is not None:
            assert row_is_feasible(tables, e, priced.row)
            assert priced.value >= optimum - 1e-6


def test_fixed_cells_are_kept(make_instance, staff_line) -> None:
    """``off_cost`` and infinite costs pin a day to a shift or to a day off."""
    instance = make_instance(
        horizon=7,
        shifts=["D,480,", "N,480,D"],
        staff=[staff_line("A", "D=7|N=7", max_consecutive=7)],
    )
    tables = Tables.of(instance)
    dp = RowDP(tables, 0)
    cost = np.full((7, 2), -1.0)
    cost[2, :] = np.inf  # day 2 must be off
    cost[4, 0] = np.inf  # day 4 must be N ...
    off_cost = np.zeros(7)
    off_cost[4] = np.inf  # ... and not off
    value, row = dp.run(cost, off_cost=off_cost)
    assert row[2] == OFF
    assert row[4] == 1
    assert row[5] != 0  # D may not follow N
    assert value == pytest.approx(row_cost(cost, row))


def test_runs_touching_the_borders_are_exempt(make_instance, staff_line) -> None:
    """A one-day run on day 0 or on the last day is allowed; one inside is not."""
    instance = make_instance(
        horizon=7, staff=[staff_line("A", "D=7", min_consecutive=3, min_days_off=2)]
    )
    tables = Tables.of(instance)
    dp = RowDP(tables, 0)
    cost = np.zeros((7, 1))
    cost[0, 0] = cost[6, 0] = cost[3, 0] = -10.0
    value, row = dp.run(cost)
    assert row[0] == 0
    assert row[6] == 0
    assert row_is_feasible(tables, 0, row)
    # Day 3 alone would be a one-day inner run; the best row takes day 0 and day 6 only
    # (a three-day run around day 3 costs nothing extra but would need days off of 2).
    assert value == pytest.approx(row_cost(cost, row))
    assert value <= -20.0


def test_dp_proves_most_rows_cheapest(random_instance) -> None:
    """The caps it prices rarely leave a gap: most answers are proven optimal."""
    exact = feasible = 0
    for seed in range(30):
        instance = random_instance(seed)
        tables = Tables.of(instance)
        rng = np.random.default_rng(seed)
        for e in range(tables.n_staff):
            cost = rng.integers(-100, 30, size=(tables.horizon, tables.n_shifts)).astype(float)
            priced, _ = cheapest_row(RowDP(tables, e), cost, iterations=20)
            if priced.row is not None:
                feasible += 1
                exact += priced.exact
    assert feasible >= 30
    assert exact >= 0.8 * feasible
