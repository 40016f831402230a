"""Re-optimise one employee's row at a time against everyone else's (exact single-row moves).

Why: cover is the only link between rows, and its penalty is separable per (day, shift):
with the other rows fixed, an employee working ``(d, t)`` changes the penalty by exactly
``-under weight`` when the cell is short of its requirement and ``+over weight`` when it is
not. So the row DP under those marginal costs plus the employee's requests finds that
employee's best row given the others, and the change of the whole objective is the change
of that row's DP cost. Run row by row from an empty roster this builds a first roster;
run over a finished roster it is a descent that never makes the roster worse.
"""

from __future__ import annotations

import random
import time

import numpy as np

from scheduler.solver.curtois.model import OFF, Grid, Tables
from scheduler.solver.curtois.pricing import RowPricer


class Cover:
    """Head counts per (day, shift) of a grid, kept up to date as rows change."""

    def __init__(self, tables: Tables, grid: Grid) -> None:
        self.tb = tables
        self.count = np.zeros((tables.horizon, tables.n_shifts), dtype=np.int64)
        self.req = np.zeros((tables.horizon, tables.n_shifts), dtype=np.int64)
        self.under = np.zeros((tables.horizon, tables.n_shifts))
        self.over = np.zeros((tables.horizon, tables.n_shifts))
        for (d, t), (req, wu, wo) in tables.cover.items():
            self.req[d, t], self.under[d, t], self.over[d, t] = req, wu, wo
        self.days = np.arange(tables.horizon)
        for row in grid:
            self.add(row, 1)

    def add(self, row: list[int] | tuple[int, ...], sign: int) -> None:
        r = np.asarray(row)
        worked = r != OFF
        np.add.at(self.count, (self.days[worked], r[worked]), sign)

    def marginal(self) -> np.ndarray:
        """Penalty change of one more worker on each cell (with the current counts)."""
        return np.where(self.count < self.req, -self.under, self.over)


def _row_cost(pricer: RowPricer, extra: np.ndarray, row: list[int]) -> float:
    total = float(pricer.constant)
    for d, t in enumerate(row):
        if t != OFF:
            total += pricer.requests[d, t] + extra[d, t]
    return total


def best_row(
    pricer: RowPricer, cover: Cover, row: list[int] | None, iterations: int = 6
) -> tuple[list[int] | None, float]:
    """The employee's best row given the others; ``row`` is its current row (or None).

    Returns the new row (None when the DP found none) and the change of the objective
    (negative = better; 0 when the current row is kept).
    """
    if row is not None:
        cover.add(row, -1)
    extra = cover.marginal()
    priced = pricer.price(np.zeros_like(extra), iterations=iterations, extra=extra)
    if priced.row is None:
        if row is not None:
            cover.add(row, 1)
        return None, 0.0
    if row is None:
        cover.add(priced.row, 1)
        return priced.row, priced.value
    delta = priced.value - _row_cost(pricer, extra, row)
    if delta < -1e-9:
        cover.add(priced.row, 1)
        return priced.row, delta
    cover.add(row, 1)
    return row, 0.0


def descend(
    tables: Tables,
    grid: Grid,
    pricers: list[RowPricer],
    deadline: float,
    rng: random.Random,
    *,
    passes: int = 1_000,
) -> tuple[Grid, int]:
    """Improve ``grid`` row by row (random order) until a pass changes nothing.

    Returns the new grid and its penalty; every row stays feasible (the DP keeps the rules,
    and a row is only replaced by a better one).
    """
    grid = [list(r) for r in grid]
    cover = Cover(tables, grid)
    order = list(range(tables.n_staff))
    for _ in range(passes):
        rng.shuffle(order)
        improved = False
        for e in order:
            if time.monotonic() >= deadline:
                return grid, tables.penalty(grid)
            new, delta = best_row(pricers[e], cover, grid[e])
            if new is not None and delta < 0:
                grid[e] = new
                improved = True
        if not improved:
            break
    return grid, tables.penalty(grid)


def construct(
    tables: Tables, pricers: list[RowPricer], deadline: float, rng: random.Random
) -> Grid | None:
    """A first roster, row by row against the cover still missing (random order).

    None when some employee got no row from the DP in time, or when the rows so far say
    the rest will not be done by ``deadline`` (the caller falls back at once instead of
    waiting for it: Instance22's 50 rows never fitted in its 15 s, and it waited them out).
    """
    grid: Grid = tables.empty_grid()
    cover = Cover(tables, [])
    order = list(range(tables.n_staff))
    rng.shuffle(order)
    started = time.monotonic()
    for done, e in enumerate(order):
        now = time.monotonic()
        if now >= deadline:
            return None
        if done and now + (now - started) / done * (len(order) - done) > deadline:
            return None
        new, _ = best_row(pricers[e], cover, None)
        if new is None:
            return None
        grid[e] = new
    return grid
