"""Row generation: a pool of good rows per employee, then pick one row each with CP-SAT.

Why: the compact model's LP bound is very weak on these instances (cover can be spread
fractionally), so CP-SAT searches almost blind. A master over whole rows (one per employee,
cover counted from the chosen rows) has a strong LP, as the literature's column-generation
bounds show. Rows are priced per employee with the employee's own CP-SAT row model (all hard
rules, so every generated row is feasible) under the master LP's duals (GLOP); the restricted
master is then solved as an integer program by CP-SAT, hinted with the incumbent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.solver.curtois.model import OFF, Built, Grid, Tables, build

Row = tuple[int, ...]


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


class _Pricer:
    """One employee's row model, built once; re-solved under new duals."""

    def __init__(self, tables: Tables, grid: Grid, e: int) -> None:
        self.tb = tables
        self.e = e
        self.built: Built = build(
            tables, grid, {e: list(range(tables.horizon))}, hint=False, objective=False
        )

    def price(
        self, duals: dict[tuple[int, int], float], time_limit: float, seed: int
    ) -> tuple[float, Row] | None:
        tb, e = self.tb, self.e
        terms = []
        scale = 1000  # CP-SAT objectives are integral: scale the duals
        for (_, d, t), var in self.built.x.items():
            coef = -duals.get((d, t), 0.0)
            for u, w in tb.on_req.get((e, d), ()):
                coef -= w if u == t else 0
            for u, w in tb.off_req.get((e, d), ()):
                coef += w if u == t else 0
            c = round(coef * scale)
            if c:
                terms.append(c * var)
        model = self.built.model
        model.ClearObjective()
        model.Minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        status = solver.Solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        row = [OFF] * tb.horizon
        for (_, d, t), var in self.built.x.items():
            if solver.BooleanValue(var):
                row[d] = t
        return solver.ObjectiveValue() / scale, tuple(row)


def _rounds(
    tables: Tables,
    grid: Grid,
    pool: Pool,
    master: _Master,
    pricers: dict[int, _Pricer],
    active: list[int],
    deadline: float,
    seed: int,
    max_rounds: int = 1_000_000,
) -> float | None:
    """Column generation rounds over the ``active`` employees; the last LP value."""
    value = None
    for rounds in range(max_rounds):
        if time.monotonic() >= deadline:
            break
        result = master.solve()
        if result is None:
            return value
        value, duals, mu = result
        added = 0
        for e in active:
            if time.monotonic() >= deadline:
                break
            if e not in pricers:
                pricers[e] = _Pricer(tables, grid, e)
            priced = pricers[e].price(duals, 0.5, seed + rounds)
            if priced is None:
                continue
            reduced, row = priced
            if reduced - mu[e] < -1e-6 and pool.add(e, row):
                master.add(e, row)
                added += 1
        if not added:
            break
    return value


def dive(
    tables: Tables, grid: Grid, pool: Pool, deadline: float, dive_share: float, *, seed: int = 0
) -> tuple[float | None, Grid | None]:
    """Column generation, then a diving heuristic: fix the most-chosen rows and re-price.

    Returns the root LP value and the dived roster (None when time ran out first).
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
    root = _rounds(tables, grid, pool, master, pricers, active, root_end, seed)
    fixed: dict[int, Row] = {}
    while active:
        if time.monotonic() >= deadline:
            return root, None
        if master.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return root, None
        # Fix every employee whose best column is (nearly) integral, and at least one.
        best = []
        for e in active:
            var, row = max(master.columns[e], key=lambda c: c[0].solution_value())
            best.append((var.solution_value(), e, row))
        best.sort(reverse=True)
        chosen = [b for b in best if b[0] > 0.99] or best[: max(1, len(best) // 10)]
        for _, e, row in chosen:
            fixed[e] = row
            for var, r in master.columns[e]:
                if r != row:
                    var.SetUb(0)
            active.remove(e)
        if active:
            _rounds(tables, grid, pool, master, pricers, active, deadline, seed, max_rounds=3)
    return root, [list(fixed[e]) for e in range(tables.n_staff)]


def solve_master(
    tables: Tables, pool: Pool, grid: Grid, time_limit: float, workers: int, seed: int
) -> tuple[Grid, int] | None:
    """Pick one pool row per employee (CP-SAT), hinted with ``grid`` (whose rows are pooled)."""
    model = cp_model.CpModel()
    n_cover: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    obj = []
    choice: list[list[tuple[cp_model.IntVar, Row]]] = []
    for e in range(tables.n_staff):
        pool.add(e, tuple(grid[e]))
        vs = []
        for row in pool.rows[e]:
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
