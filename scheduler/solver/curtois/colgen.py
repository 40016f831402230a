"""Row generation: a pool of good rows per employee, then pick one row each with CP-SAT.

Why: the compact model's LP bound is very weak on these instances (cover can be spread
fractionally), so CP-SAT searches almost blind. A master over whole rows (one per employee,
cover counted from the chosen rows) has a strong LP, as the literature's column-generation
bounds show. Rows are priced per employee with the employee's own CP-SAT row model (all hard
rules, so every generated row is feasible) under the master LP's duals (GLOP); the restricted
master is then solved as an integer program by CP-SAT, hinted with the incumbent.
"""

from __future__ import annotations

import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.solver.curtois.model import OFF, Built, Grid, Tables, build

Row = tuple[int, ...]

_EXECUTORS: dict[int, ThreadPoolExecutor] = {}


def _POOL(workers: int) -> ThreadPoolExecutor:  # noqa: N802 - reads like a constant
    if workers not in _EXECUTORS:
        _EXECUTORS[workers] = ThreadPoolExecutor(max_workers=max(1, workers))
    return _EXECUTORS[workers]


@dataclass
class Pool:
    """Candidate rows per employee (each feasible for that employee on its own)."""

    rows: list[list[Row]]
    seen: list[set[Row]] = field(default_factory=list)

    @classmethod
    def of(cls, tables: Tables) -> Pool:
        return cls([[] for _ in range(tables.n_staff)], [set() for _ in range(tables.n_staff)])

    def add(self, e: int, row: Row) -> bool:
        if row in self.seen[e]:
            return False
        self.seen[e].add(row)
        self.rows[e].append(row)
        return True


def request_cost(tables: Tables, e: int, row: Row) -> int:
    total = 0
    for d in range(tables.horizon):
        for t, w in tables.on_req.get((e, d), ()):
            total += w if row[d] != t else 0
        for t, w in tables.off_req.get((e, d), ()):
            total += w if row[d] == t else 0
    return total


class _Master:
    """The restricted master LP (GLOP), grown column by column."""

    def __init__(self, tables: Tables) -> None:
        self.tb = tables
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.convex = [self.lp.Constraint(1, 1) for _ in range(tables.n_staff)]
        self.columns: list[list[tuple[pywraplp.Variable, Row]]] = [
            [] for _ in range(tables.n_staff)
        ]
        self.cover = {}
        obj = self.lp.Objective()
        for key, (req, wu, wo) in tables.cover.items():
            c = self.lp.Constraint(req, req)
            under = self.lp.NumVar(0, self.lp.infinity(), "")
            over = self.lp.NumVar(0, self.lp.infinity(), "")
            c.SetCoefficient(under, 1)
            c.SetCoefficient(over, -1)
            obj.SetCoefficient(under, wu)
            obj.SetCoefficient(over, wo)
            self.cover[key] = c
        obj.SetMinimization()

    def add(self, e: int, row: Row) -> None:
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.columns[e].append((var, row))
        self.convex[e].SetCoefficient(var, 1)
        for d, t in enumerate(row):
            if t != OFF and (d, t) in self.cover:
                self.cover[d, t].SetCoefficient(var, 1)
        self.lp.Objective().SetCoefficient(var, request_cost(self.tb, e, row))

    def solve(self) -> tuple[float, dict[tuple[int, int], float], list[float]] | None:
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        duals = {key: c.dual_value() for key, c in self.cover.items()}
        mu = [c.dual_value() for c in self.convex]
        return self.lp.Objective().Value(), duals, mu


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps every improving row found while pricing (several columns per solve)."""

    def __init__(self, pricer: _Pricer) -> None:
        super().__init__()
        self.pricer = pricer
        self.found: list[tuple[float, Row]] = []

    def on_solution_callback(self) -> None:
        row = [OFF] * self.pricer.tb.horizon
        for (_, d, t), var in self.pricer.built.x.items():
            if self.BooleanValue(var):
                row[d] = t
        self.found.append((self.ObjectiveValue() / _SCALE, tuple(row)))


_DEBUG = bool(os.environ.get("CURTOIS_DEBUG"))
_SCALE = 1000  # CP-SAT objectives are integral: duals are scaled and rounded


class _Pricer:
    """One employee's row model, built once; re-solved under new duals."""

    def __init__(self, tables: Tables, grid: Grid, e: int) -> None:
        self.tb = tables
        self.e = e
        self.built: Built = build(
            tables, grid, {e: list(range(tables.horizon))}, hint=False, objective=False
        )
        # Unmet on-requests cost w * (1 - x): the constant part of every row's cost.
        self.constant = sum(
            w for (ee, _), reqs in tables.on_req.items() if ee == e for _, w in reqs
        )
        # Rounding each coefficient moves a row's value by at most this much.
        self.error = tables.horizon * 0.5 / _SCALE

    def price(
        self, duals: dict[tuple[int, int], float], time_limit: float, seed: int
    ) -> tuple[list[tuple[float, Row]], bool]:
        """Rows with their priced value (constant included), best last; exact or not."""
        tb, e = self.tb, self.e
        terms = []
        for (_, d, t), var in self.built.x.items():
            coef = -duals.get((d, t), 0.0)
            for u, w in tb.on_req.get((e, d), ()):
                coef -= w if u == t else 0
            for u, w in tb.off_req.get((e, d), ()):
                coef += w if u == t else 0
            c = round(coef * _SCALE)
            if c:
                terms.append(c * var)
        model = self.built.model
        model.ClearObjective()
        model.Minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        collector = _Collector(self)
        status = solver.Solve(model, collector)
        rows = [(v + self.constant, row) for v, row in collector.found[-5:]]
        return rows, status == cp_model.OPTIMAL


def _rounds(
    tables: Tables,
    grid: Grid,
    pool: Pool,
    master: _Master,
    pricers: dict[int, _Pricer],
    active: list[int],
    deadline: float,
    seed: int,
    workers: int,
    max_rounds: int = 1_000_000,
) -> tuple[bool, float | None]:
    """Column generation rounds over the ``active`` employees.

    Returns whether it converged and, when every employee was priced exactly in some round,
    the best Lagrangian lower bound ``LP + sum of negative reduced costs`` seen (valid for
    the whole problem only when ``active`` is everyone and nothing is fixed).
    """
    value = bound = None
    history: list[float] = []
    for rounds in range(max_rounds):
        if time.monotonic() >= deadline:
            break
        result = master.solve()
        if result is None:
            break
        value, duals, mu = result
        added = 0
        for e in active:
            if e not in pricers:
                pricers[e] = _Pricer(tables, grid, e)

        def price(e: int, duals=duals, rounds=rounds):  # type: ignore[no-untyped-def]
            if time.monotonic() >= deadline:
                return e, ([], False)
            return e, pricers[e].price(duals, 0.5, seed + rounds)

        exact = True
        lagrange = value
        # CP-SAT releases the GIL while solving, so rows are priced in parallel.
        for e, (rows, optimal) in _POOL(workers).map(price, active):
            exact = exact and optimal and bool(rows)
            if rows:
                best = min(v for v, _ in rows) - mu[e] - pricers[e].error
                lagrange += min(0.0, best)
            for v, row in rows:
                if v - mu[e] < -1e-6 and pool.add(e, row):
                    master.add(e, row)
                    added += 1
        if exact:
            bound = lagrange if bound is None else max(bound, lagrange)
        if _DEBUG:
            print(
                f"cg round {rounds} lp {value:.1f} added {added} exact {exact} "
                f"lagrange {lagrange:.1f} active {len(active)}",
                file=sys.stderr,
            )
        if not added and exact:
            return True, bound
        history.append(value)
        if len(history) > 4 and history[-5] - value < 1e-3 * max(1.0, abs(value)):
            return True, bound  # tailing off: the LP no longer moves
    return False, bound


def dive(
    tables: Tables,
    grid: Grid,
    pool: Pool,
    deadline: float,
    dive_share: float,
    *,
    seed: int = 0,
    workers: int = 2,
) -> tuple[float | None, Grid | None]:
    """Column generation, then a diving heuristic: fix the most-chosen rows and re-price.

    Returns a proven lower bound (the root's Lagrangian bound, None when no pricing round
    was exact) and the dived roster; when time runs out, the remaining
    employees get their most-used column at once (None only if the LP fails).
    ``dive_share`` is the part of the time kept for diving.
    """
    start = time.monotonic()
    master = _Master(tables)
    for e in range(tables.n_staff):
        pool.add(e, tuple(grid[e]))
        for row in pool.rows[e]:
            master.add(e, row)
    pricers: dict[int, _Pricer] = {}
    active = list(range(tables.n_staff))
    root_end = start + (deadline - start) * (1 - dive_share)
    converged, bound = _rounds(tables, grid, pool, master, pricers, active, root_end, seed, workers)
    del converged  # an unfinished LP is still a good guide: the dive keeps pricing
    fixed: dict[int, Row] = {}
    step_time = 0.0
    while active:
        if master.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return bound, None
        out_of_time = time.monotonic() >= deadline
        # Fix every employee whose best column is (nearly) integral, and at least one.
        best = []
        for e in active:
            var, row = max(master.columns[e], key=lambda c: c[0].solution_value())
            best.append((var.solution_value(), e, row))
        best.sort(reverse=True)
        if out_of_time:
            # Round the rest to their most-used column (each is a feasible row).
            for _, e, row in best:
                fixed[e] = row
            break
        # Fix every (nearly) integral row, and enough others that the dive ends in time.
        count = max(1, len(best) // 10, sum(1 for b in best if b[0] > 0.99))
        if step_time:
            steps_left = max(1.0, (deadline - time.monotonic()) / step_time)
            count = max(count, math.ceil(len(best) / steps_left))
        chosen = best[:count]
        step_start = time.monotonic()
        for _, e, row in chosen:
            fixed[e] = row
            for var, r in master.columns[e]:
                if r != row:
                    var.SetUb(0)
            active.remove(e)
        if active:
            _rounds(
                tables, grid, pool, master, pricers, active, deadline, seed, workers, max_rounds=4
            )
        step_time = time.monotonic() - step_start
    return bound, [list(fixed[e]) for e in range(tables.n_staff)]


def solve_master(
    tables: Tables,
    pool: Pool,
    grid: Grid,
    time_limit: float,
    workers: int,
    seed: int,
    *,
    fixed: dict[int, Row] | None = None,
    only: set[int] | None = None,
) -> tuple[Grid, int] | None:
    """Pick one pool row per employee (CP-SAT), hinted with ``grid`` (whose rows are pooled).

    Employees in ``fixed`` keep their row; with ``only``, the pool is used just for those.
    """
    fixed = fixed or {}
    model = cp_model.CpModel()
    n_cover: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    obj = []
    choice: list[list[tuple[cp_model.IntVar, Row]]] = []
    for e in range(tables.n_staff):
        pool.add(e, tuple(grid[e]))
        vs = []
        if e in fixed:
            candidates: list[Row] = [fixed[e]]
        elif only is not None and e not in only:
            candidates = [tuple(grid[e])]
        else:
            candidates = pool.rows[e]
        for row in candidates:
            y = model.NewBoolVar("")
            model.AddHint(y, row == tuple(grid[e]))
            vs.append((y, row))
            cost = request_cost(tables, e, row)
            if cost:
                obj.append(cost * y)
            for d, t in enumerate(row):
                if t != OFF:
                    n_cover.setdefault((d, t), []).append(y)
        model.AddExactlyOne([y for y, _ in vs])
        choice.append(vs)
    for key, (req, wu, wo) in tables.cover.items():
        terms = n_cover.get(key, [])
        under = model.NewIntVar(0, req, "")
        over = model.NewIntVar(0, max(0, len(terms) - req), "")
        model.Add(sum(terms) - req == over - under)
        obj.append(wu * under + wo * over)
    model.Minimize(sum(obj))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new = [list(r) for r in grid]
    for e, vs in enumerate(choice):
        for y, row in vs:
            if solver.BooleanValue(y):
                new[e] = list(row)
    return new, round(solver.ObjectiveValue())
