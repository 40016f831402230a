"""Solve a Curtois-Qu instance: a greedy first roster, then large-neighbourhood search.

Why this shape: every hard rule concerns one employee's row and cover is soft, so a roster
made of individually feasible rows is always feasible. The first roster is therefore built
employee by employee (each row solved exactly against the cover still missing), which gives
a feasible roster within seconds even on the 364-day instances where the direct model finds
nothing in a minute. The search then re-solves neighbourhoods (a few employees over the
whole horizon, all employees over a window of days, or a mix around badly covered days) with
the rest fixed, keeping a change only when it is no worse. Small instances also get a run
of the full model (hinted with the incumbent); only that run's proven bound is reported.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.model import OFF, Grid, Tables, build, full_free
from scheduler.solver.curtois.reader import read_instance

# Full-model runs only when the model is this small (number of (employee, day, shift) vars).
_FULL_MODEL_CELLS = 20_000


@dataclass
class _State:
    grid: Grid
    value: int
    bound: float | None = None
    optimal: bool = False
    first_at: float | None = None


def _solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    return solver


def _n_cells(tables: Tables) -> int:
    return sum(
        len(tables.allowed[e]) * (tables.horizon - len(tables.day_off[e]))
        for e in range(tables.n_staff)
    )


def _construct(tables: Tables, deadline: float, workers: int, seed: int) -> Grid | None:
    """Greedy first roster: each employee's best row against the still-missing cover."""
    grid = tables.empty_grid()
    n = tables.n_staff
    order = list(range(n))
    for k, e in enumerate(order):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        per = max(0.2, min(2.0, left / (n - k) * 0.8))
        built = build(tables, grid, {e: list(range(tables.horizon))}, hint=False)
        solver = _solver(per, workers, seed)
        status = solver.Solve(built.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # Feasibility only, with what time is left.
            solver = _solver(max(0.5, deadline - time.monotonic()), workers, seed)
            built.model.ClearObjective()
            status = solver.Solve(built.model)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return None
        grid = built.read(solver, grid)
    return grid


def _neighbourhood(
    tables: Tables, grid: Grid, rng: random.Random, size: int
) -> dict[int, list[int]]:
    """Pick free cells: about ``size`` decision variables' worth of (employee, day) cells."""
    n_days, n = tables.horizon, tables.n_staff
    per_emp_day = [max(1, len(tables.allowed[e])) for e in range(n)]
    kind = rng.random()
    if kind < 0.35:
        # Whole rows of a few employees, preferring employees sharing shift types.
        pool = list(range(n))
        rng.shuffle(pool)
        first = pool[0]
        types = set(tables.allowed[first])
        pool.sort(key=lambda e: -len(types & set(tables.allowed[e])) + rng.random() * 2)
        chosen, cost = [], 0
        for e in pool:
            chosen.append(e)
            cost += per_emp_day[e] * n_days
            if cost >= size:
                break
        return {e: list(range(n_days)) for e in chosen}
    # A window of days around a badly covered day (or at random), for many employees.
    day = _bad_day(tables, grid, rng) if kind < 0.8 else rng.randrange(n_days)
    total_per_day = sum(per_emp_day)
    width = max(2, min(n_days, size // max(1, total_per_day)))
    if width >= 7 or width >= n_days:
        emps = list(range(n))
    else:
        width = min(n_days, max(7, width * 2))
        emps = list(range(n))
        rng.shuffle(emps)
        budget = size // width
        chosen, cost = [], 0
        for e in emps:
            chosen.append(e)
            cost += per_emp_day[e]
            if cost >= budget:
                break
        emps = chosen
    start = max(0, min(n_days - width, day - rng.randrange(width)))
    days = list(range(start, start + width))
    return dict.fromkeys(emps, days)


def _bad_day(tables: Tables, grid: Grid, rng: random.Random) -> int:
    counts: dict[tuple[int, int], int] = {}
    for row in grid:
        for d, t in enumerate(row):
            if t != OFF:
                counts[d, t] = counts.get((d, t), 0) + 1
    bad = [d for (d, t), (req, wu, wo) in tables.cover.items() if counts.get((d, t), 0) != req]
    return rng.choice(bad) if bad else rng.randrange(tables.horizon)


def _full_run(tables: Tables, state: _State, time_limit: float, workers: int, seed: int) -> None:
    built = build(tables, state.grid, full_free(tables), hint=True)
    solver = _solver(time_limit, workers, seed)
    status = solver.Solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = round(solver.ObjectiveValue()) + built.offset
        if value <= state.value:
            state.grid = built.read(solver, state.grid)
            state.value = value
        bound = solver.BestObjectiveBound() + built.offset
        state.bound = max(state.bound or 0, bound)
        if status == cp_model.OPTIMAL:
            state.optimal = True
            state.bound = state.value


def _lns(tables: Tables, state: _State, deadline: float, workers: int, rng: random.Random) -> None:
    n_cells = _n_cells(tables)
    size = min(n_cells, max(200, min(3000, n_cells // 4)))
    sub_time = 1.5
    while True:
        left = deadline - time.monotonic()
        if left < 0.2:
            return
        free = _neighbourhood(tables, state.grid, rng, size)
        built = build(tables, state.grid, free, hint=True)
        solver = _solver(min(sub_time, left), workers, rng.randrange(1 << 30))
        status = solver.Solve(built.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = round(solver.ObjectiveValue()) + built.offset
            if value <= state.value:
                state.grid = built.read(solver, state.grid)
                state.value = value
        if status == cp_model.OPTIMAL:
            size = min(n_cells, int(size * 1.15) + 1)
        else:
            size = max(100, int(size * 0.9))


def solve_instance(
    instance: Instance, *, time_limit: float = 60.0, workers: int = 2, seed: int = 0
) -> dict:
    """Solve ``instance``; the issue-8 result dict (see :func:`solve_file`)."""
    start = time.monotonic()
    deadline = start + time_limit
    tables = Tables.of(instance)
    rng = random.Random(seed)
    grid = _construct(tables, deadline, workers, seed)
    if grid is None:
        return {
            "status": "UNKNOWN",
            "objective": None,
            "bound": None,
            "wall_time_s": round(time.monotonic() - start, 3),
            "time_to_first_s": None,
            "roster": None,
        }
    state = _State(grid=grid, value=tables.penalty(grid))
    state.first_at = time.monotonic() - start
    cells = _n_cells(tables)
    if cells <= _FULL_MODEL_CELLS:
        share = 0.35 if cells <= 5000 else 0.2
        _full_run(
            tables, state, min(time_limit * share, deadline - time.monotonic()), workers, seed
        )
    if not state.optimal:
        reserve = time_limit * 0.15 if cells <= _FULL_MODEL_CELLS else 0.0
        _lns(tables, state, deadline - reserve, workers, rng)
        if reserve and time.monotonic() < deadline - 0.5:
            _full_run(tables, state, deadline - time.monotonic(), workers, seed + 1)
    roster = tables.grid_to_roster(state.grid)
    evaluation = evaluate(instance, roster)
    if evaluation.score is None:
        raise AssertionError(
            f"{instance.name}: the solver produced an infeasible roster: "
            + "; ".join(map(str, evaluation.violations[:3]))
        )
    if evaluation.score != state.value:
        raise AssertionError(
            f"{instance.name}: model objective {state.value} != evaluator {evaluation.score}"
        )
    bound = state.bound
    if bound is not None:
        bound = min(float(state.value), float(int(-(-bound // 1))))
    status = (
        "OPTIMAL" if state.optimal or (bound is not None and bound >= state.value) else "FEASIBLE"
    )
    return {
        "status": status,
        "objective": evaluation.score,
        "bound": bound,
        "wall_time_s": round(time.monotonic() - start, 3),
        "time_to_first_s": round(state.first_at, 3),
        "roster": roster,
    }


def solve_file(
    path: str | os.PathLike[str], *, time_limit: float = 60.0, workers: int = 2, seed: int = 0
) -> dict:
    """Read an instance file and solve it within ``time_limit`` seconds.

    Returns ``{"status", "objective", "bound", "wall_time_s", "time_to_first_s", "roster"}``;
    ``objective`` is the independent evaluator's score, ``bound`` a lower bound proven by
    our own full-model run (None when none ran), ``roster`` None when no roster was found.
    """
    return solve_instance(read_instance(path), time_limit=time_limit, workers=workers, seed=seed)
