"""Row generation: a master LP over whole rows, DP pricing, diving, and a MIP over the pool.

Why: the compact model's LP bound is very weak on these instances (cover can be spread
fractionally), so CP-SAT searches almost blind. A master over whole rows (one per employee,
cover counted from the chosen rows) has a strong LP, as the literature's column-generation
bounds show. Rows are priced per employee by the row DP (``pricing.py``), which keeps every
hard rule, so every generated row is feasible. Dual prices are smoothed (Wentges): each
round prices at a mix of the best-bound prices and the LP's, which cuts the zig-zag of
plain column generation; a round that finds nothing at the mix prices again at the LP's.

Every pricing round yields a Lagrangian bound ``sum(pi * req) + sum over employees of the
cheapest row's value under pi`` (valid for any prices between minus the over weight and the
under weight), proven because the DP's bound on each cheapest row is.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.solver.curtois.model import OFF, Grid, Tables
from scheduler.solver.curtois.pricing import RowPricer, row_requests
from scheduler.solver.curtois.row_dp import PricedRow

Row = tuple[int, ...]
_DEBUG = bool(os.environ.get("CURTOIS_DEBUG"))
_EPS = 1e-6


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


class Master:
    """The restricted master LP (GLOP), grown column by column."""

    def __init__(self, tables: Tables) -> None:
        self.tb = tables
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.convex = [self.lp.Constraint(1, 1) for _ in range(tables.n_staff)]
        self.columns: list[list[tuple[pywraplp.Variable, Row]]] = [
            [] for _ in range(tables.n_staff)
        ]
        self.cover: dict[tuple[int, int], pywraplp.Constraint] = {}
        self.requirement = np.zeros((tables.horizon, tables.n_shifts))
        # Prices stay within [-over weight, under weight]: beyond, a slack is cheaper.
        self.low = np.zeros((tables.horizon, tables.n_shifts))
        self.high = np.zeros((tables.horizon, tables.n_shifts))
        obj = self.lp.Objective()
        for (d, t), (req, wu, wo) in tables.cover.items():
            c = self.lp.Constraint(req, req)
            under = self.lp.NumVar(0, self.lp.infinity(), "")
            over = self.lp.NumVar(0, self.lp.infinity(), "")
            c.SetCoefficient(under, 1)
            c.SetCoefficient(over, -1)
            obj.SetCoefficient(under, wu)
            obj.SetCoefficient(over, wo)
            self.cover[d, t] = c
            self.requirement[d, t] = req
            self.low[d, t], self.high[d, t] = -wo, wu
        obj.SetMinimization()
        self.value = math.inf

    def add(self, e: int, row: Row) -> None:
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.columns[e].append((var, row))
        self.convex[e].SetCoefficient(var, 1)
        for d, t in enumerate(row):
            if t != OFF and (d, t) in self.cover:
                self.cover[d, t].SetCoefficient(var, 1)
        self.lp.Objective().SetCoefficient(var, row_requests(self.tb, e, row))

    def solve(self) -> tuple[float, np.ndarray, np.ndarray] | None:
        """LP value, cover duals (days x shifts) and convexity duals; None if it failed."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        duals = np.zeros((self.tb.horizon, self.tb.n_shifts))
        for (d, t), c in self.cover.items():
            duals[d, t] = c.dual_value()
        np.clip(duals, self.low, self.high, out=duals)
        mu = np.array([c.dual_value() for c in self.convex])
        self.value = self.lp.Objective().Value()
        return self.value, duals, mu

    def fix(self, e: int, row: Row) -> None:
        for var, r in self.columns[e]:
            var.SetUb(1 if r == row else 0)

    def unfix(self, e: int) -> None:
        for var, _ in self.columns[e]:
            var.SetUb(self.lp.infinity())

    def most_used(self, e: int) -> tuple[float, Row]:
        var, row = max(self.columns[e], key=lambda c: c[0].solution_value())
        return var.solution_value(), row


def row_value(pricer: RowPricer, duals: np.ndarray, row: Row) -> float:
    """A row's own cost minus the prices of its worked cells."""
    total = float(pricer.constant)
    for d, t in enumerate(row):
        if t != OFF:
            total += pricer.requests[d, t] - duals[d, t]
    return total


@dataclass
class Generation:
    """State of column generation kept across calls (the dive calls it repeatedly)."""

    master: Master
    pool: Pool
    pricers: list[RowPricer]
    stable: np.ndarray | None = None  # prices of the best Lagrangian bound so far
    stable_bound: float = -math.inf
    bound: float | None = None  # proven bound of the whole problem (nothing fixed)
    rounds: int = 0

    @classmethod
    def start(
        cls,
        tables: Tables,
        pool: Pool,
        grid: Grid | None = None,
        pricers: list[RowPricer] | None = None,
    ) -> Generation:
        master = Master(tables)
        for e in range(tables.n_staff):
            if grid is not None:
                pool.add(e, tuple(grid[e]))
            for row in pool.rows[e]:
                master.add(e, row)
        if pricers is None:
            pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
        return cls(master, pool, pricers)

    def add(self, e: int, row: Row) -> bool:
        if self.pool.add(e, row):
            self.master.add(e, row)
            return True
        return False

    def price(self, e: int, prices: np.ndarray) -> PricedRow:
        """Employee ``e``'s cheapest row under ``prices``."""
        return self.pricers[e].price(prices)


def generate(
    gen: Generation,
    active: list[int],
    fixed: dict[int, Row],
    deadline: float,
    *,
    max_rounds: int = 1_000_000,
    alpha: float = 0.5,
    exact_time: float = 0.0,
) -> bool:
    """Column generation over the ``active`` employees (the others are ``fixed``).

    Returns whether the LP converged (no improving row under the LP's prices). When nothing
    is fixed, every round's Lagrangian bound is a bound of the whole problem and the best is
    kept in ``gen.bound``. With ``exact_time`` (seconds per employee), a round in which the
    DP finds nothing re-prices by CP-SAT the employees whose DP row was not proven cheapest.
    """
    master = gen.master
    whole = not fixed
    gen.stable, gen.stable_bound = None, -math.inf
    for _ in range(max_rounds):
        if time.monotonic() >= deadline:
            return False
        solved = master.solve()
        if solved is None:
            return False
        lp, duals, mu = solved
        a = alpha if gen.stable is not None else 0.0
        while True:
            prices = duals if a == 0 else a * gen.stable + (1 - a) * duals
            added, bound, inexact = _price_round(gen, active, fixed, prices, duals, mu, deadline)
            if not added and a == 0 and inexact and exact_time > 0:
                added, bound = _price_exactly(gen, inexact, duals, mu, bound, exact_time, deadline)
            gen.rounds += 1
            if bound > gen.stable_bound:
                gen.stable, gen.stable_bound = prices, bound
            if whole and bound > -math.inf:
                gen.bound = bound if gen.bound is None else max(gen.bound, bound)
            if _DEBUG:
                print(
                    f"{time.monotonic() % 1000:7.2f} cg lp {lp:.2f} bound {bound:.2f} "
                    f"best {gen.stable_bound:.2f} alpha {a:.2f} added {added} "
                    f"active {len(active)} inexact {len(inexact)}",
                    file=sys.stderr,
                )
            if added or a == 0 or time.monotonic() >= deadline:
                break
            a = 0.0  # mispricing: price at the LP's own prices
        if not added:
            return True
        if gen.stable_bound >= lp - _EPS * max(1.0, abs(lp)):
            return True
    return False


def _price_round(
    gen: Generation,
    active: list[int],
    fixed: dict[int, Row],
    prices: np.ndarray,
    duals: np.ndarray,
    mu: np.ndarray,
    deadline: float,
) -> tuple[int, float, dict[int, tuple[float, list[int] | None]]]:
    """Price every active employee at ``prices``; add rows improving under ``duals``.

    Returns the number of rows added, the Lagrangian bound at ``prices`` (minus infinity
    when time ran out before every employee was priced) and, per employee whose DP row
    is not proven cheapest, its bound term and row.
    """
    master = gen.master
    bound = float((prices * master.requirement).sum())
    added = 0
    inexact: dict[int, tuple[float, list[int] | None]] = {}
    for e, row in fixed.items():
        bound += row_value(gen.pricers[e], prices, row)
    for e in active:
        if time.monotonic() >= deadline:
            return added, -math.inf, inexact
        priced = gen.price(e, prices)
        bound += priced.bound
        if not priced.exact:
            inexact[e] = (priced.bound, priced.row)
        candidates = [] if priced.row is None else [tuple(priced.row)]
        candidates += [r for _, r in priced.others[:4]]
        for row in candidates:
            if row_value(gen.pricers[e], duals, row) - mu[e] < -_EPS and gen.add(e, row):
                added += 1
    return added, bound, inexact


def _price_exactly(
    gen: Generation,
    inexact: dict[int, tuple[float, list[int] | None]],
    duals: np.ndarray,
    mu: np.ndarray,
    bound: float,
    time_limit: float,
    deadline: float,
) -> tuple[int, float]:
    """Re-price the ``inexact`` employees by CP-SAT at the LP's prices (a tighter bound)."""
    added = 0
    for e, (dp_bound, hint) in inexact.items():
        if time.monotonic() >= deadline:
            break
        priced = gen.pricers[e].price_exact(
            duals, min(time_limit, deadline - time.monotonic()), hint
        )
        if priced.bound > dp_bound:
            bound += priced.bound - dp_bound
        if priced.row is not None:
            row = tuple(priced.row)
            if priced.value - mu[e] < -_EPS and gen.add(e, row):
                added += 1
    return added, bound


def dive(
    tables: Tables,
    grid: Grid,
    pool: Pool,
    deadline: float,
    dive_share: float,
    *,
    seed: int = 0,
    workers: int = 2,
    pricers: list[RowPricer] | None = None,
    exact_time: float = 0.0,
) -> tuple[float | None, Grid | None]:
    """Column generation, then a diving heuristic: fix the most-used rows and re-price.

    Returns a proven lower bound (the best Lagrangian bound of the root, None when no
    pricing round finished) and the dived roster; when time runs out, the remaining
    employees get their most-used row at once (None only if the LP fails).
    ``dive_share`` is the part of the time kept for diving. ``seed`` and ``workers`` are
    accepted for a uniform call signature; the DP pricing is deterministic and serial.
    """
    del seed, workers
    start = time.monotonic()
    gen = Generation.start(tables, pool, grid, pricers)
    active = list(range(tables.n_staff))
    root_end = start + (deadline - start) * (1 - dive_share)
    generate(gen, active, {}, root_end, exact_time=exact_time)
    bound = gen.bound
    fixed: dict[int, Row] = {}
    step_time = 0.0
    master = gen.master
    while active:
        if master.solve() is None:
            return bound, None
        best = sorted(((*master.most_used(e), e) for e in active), reverse=True)
        if time.monotonic() >= deadline:
            # Round the rest to their most-used row (each is a feasible row).
            for _, row, e in best:
                fixed[e] = row
            break
        # Fix every (nearly) integral row, and enough others that the dive ends in time.
        count = max(1, len(best) // 10, sum(1 for b in best if b[0] > 0.99))
        if step_time:
            steps_left = max(1.0, (deadline - time.monotonic()) / step_time)
            count = max(count, math.ceil(len(best) / steps_left))
        step_start = time.monotonic()
        if _DEBUG:
            print(
                f"{time.monotonic() % 1000:7.2f} dive lp {master.value:.2f} fixing {count} "
                f"of {len(best)} (integral {sum(1 for b in best if b[0] > 0.99)})",
                file=sys.stderr,
            )
        for _, row, e in best[:count]:
            fixed[e] = row
            master.fix(e, row)
            active.remove(e)
        if active:
            generate(gen, active, fixed, deadline, max_rounds=30)
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
            model.AddHint(y, row == fixed.get(e, tuple(grid[e])))
            vs.append((y, row))
            cost = row_requests(tables, e, row)
            if cost:
                obj.append(cost * y)
            for d, t in enumerate(row):
                if t != OFF:
                    n_cover.setdefault((d, t), []).append(y)
        model.AddExactlyOne([y for y, _ in vs])
        choice.append(vs)
    counts: dict[tuple[int, int], int] = {}
    for e in range(tables.n_staff):
        row = fixed.get(e, tuple(grid[e]))
        for d, t in enumerate(row):
            if t != OFF:
                counts[d, t] = counts.get((d, t), 0) + 1
    for key, (req, wu, wo) in tables.cover.items():
        terms = n_cover.get(key, [])
        under = model.NewIntVar(0, req, "")
        over = model.NewIntVar(0, max(0, len(terms) - req), "")
        model.Add(sum(terms) - req == over - under)
        n = counts.get(key, 0)
        model.AddHint(under, max(0, req - n))
        model.AddHint(over, max(0, n - req))
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
