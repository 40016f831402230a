"""Pricing one employee's rows under cover prices: the row DP with the requests as costs.

A row's own cost in the objective is its requests: ``w`` for each unmet on-request and
``w`` for each granted off-request. Written per cell that is a constant (every on-request
unmet) plus ``-w`` for working a requested shift and ``+w`` for an unwanted one, so with
cover prices ``pi[d, t]`` a row's reduced cost is the DP cost
``sum(request[d, t] - pi[d, t])`` over its worked cells, plus the constant.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from scheduler.solver.curtois.model import OFF, Built, Tables, build
from scheduler.solver.curtois.row_dp import PricedRow, Prices, RowDP, cheapest_row


def request_matrix(tables: Tables, e: int) -> tuple[np.ndarray, int]:
    """Per-cell request cost of employee ``e`` (days x shifts) and the constant part."""
    cost = np.zeros((tables.horizon, tables.n_shifts))
    constant = 0
    for d in range(tables.horizon):
        for t, w in tables.on_req.get((e, d), ()):
            cost[d, t] -= w
            constant += w
        for t, w in tables.off_req.get((e, d), ()):
            cost[d, t] += w
    return cost, constant


def row_requests(tables: Tables, e: int, row: tuple[int, ...] | list[int]) -> int:
    """The request penalty of one row (its own part of the objective)."""
    total = 0
    for d, t in enumerate(row):
        for u, w in tables.on_req.get((e, d), ()):
            total += w if t != u else 0
        if t != OFF:
            for u, w in tables.off_req.get((e, d), ()):
                total += w if t == u else 0
    return total


_SCALE = 1000  # CP-SAT objectives are integral: costs are scaled and rounded
_TOL = 1e-6
_OFFERED = 5  # rows offered per employee and round: the cheapest and four met on the way


@dataclass(frozen=True)
class Offer:
    """One employee's answer to a pricing round of the row master."""

    rows: list[tuple[float, tuple[int, ...]]]  # (value, row), the cheapest first
    lower: float  # proven lower bound on the value of every feasible row
    better: bool  # some offered row prices below the employee's convexity dual
    unproven: bool  # none does, but the bound cannot rule such a row out


class RowPricer:
    """One employee's row DP and request costs, kept across pricing rounds.

    :meth:`price` runs the DP; :meth:`price_exact` solves the employee's CP-SAT row model
    instead, which counts every cap exactly: the fallback when the DP's bound and row do
    not meet (a priced cap) and a proof is wanted.
    """

    def __init__(self, tables: Tables, e: int, **dp_options: bool) -> None:
        self.tb = tables
        self.e = e
        self._row_model: Built | None = None
        self.dp = RowDP(tables, e, **dp_options)  # type: ignore[arg-type]
        self.requests, self.constant = request_matrix(tables, e)
        self.prices: Prices | None = None

    def price(
        self,
        duals: np.ndarray,
        *,
        iterations: int = 8,
        off_cost: np.ndarray | None = None,
        extra: np.ndarray | None = None,
    ) -> PricedRow:
        """Cheapest row under cover prices ``duals`` (days x shifts); values include the
        constant, so ``value`` is the row's own cost minus the prices of its cells.

        ``extra`` is added to the cell costs (for example marginal cover costs instead of
        duals), ``off_cost`` prices days off.
        """
        cost = self.requests - duals
        if extra is not None:
            cost = cost + extra
        result, self.prices = cheapest_row(
            self.dp, cost, iterations=iterations, prices=self.prices, off_cost=off_cost
        )
        k = self.constant
        return PricedRow(
            result.row,
            result.value + k,
            result.bound + k,
            tuple((v + k, r) for v, r in result.others),
        )

    def offer(
        self, duals: np.ndarray, mu: float, *, exact_time: float = 0.0, deadline: float = math.inf
    ) -> Offer:
        """Rows to offer the master under ``duals``, where the employee's own dual is ``mu``.

        When the DP finds no row below ``mu`` but cannot prove there is none (a cap it
        prices rather than counts), the CP-SAT row model prices again for at most
        ``exact_time`` seconds, and never past ``deadline`` (``time.monotonic()``).
        """
        priced = self.price(duals)
        rows = [] if priced.row is None else [(priced.value, tuple(priced.row))]
        rows += list(priced.others[: _OFFERED - 1])
        lower = priced.bound
        better = any(v - mu < -_TOL for v, _ in rows)
        unproven = False
        if not better and lower - mu < -_TOL:
            left = deadline - time.monotonic()
            if exact_time > 0 and left > 0:
                exact = self.price_exact(duals, min(exact_time, left), priced.row)
                lower = max(lower, exact.bound)
                if exact.row is not None:
                    rows.append((exact.value, tuple(exact.row)))
                    better = exact.value - mu < -_TOL
            unproven = not better and lower - mu < -_TOL
        return Offer(rows, lower, better, unproven)

    def price_exact(
        self, duals: np.ndarray, time_limit: float, hint: list[int] | None
    ) -> PricedRow:
        """Cheapest row under ``duals`` by CP-SAT (value and proven bound, constant included).

        Costs are scaled by 1000 and rounded; the bound allows for the rounding error.
        """
        tb = self.tb
        if self._row_model is None:
            self._row_model = build(
                tb, tb.empty_grid(), {self.e: list(range(tb.horizon))}, hint=False, objective=False
            )
        built = self._row_model
        cost = self.requests - duals
        model = built.model
        model.ClearObjective()
        model.ClearHints()
        terms = []
        for (_, d, t), var in built.x.items():
            c = round(cost[d, t] * _SCALE)
            if c:
                terms.append(c * var)
            if hint is not None:
                model.AddHint(var, hint[d] == t)
        model.Minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        solver.parameters.num_workers = 1
        status = solver.Solve(model)
        if status == cp_model.INFEASIBLE:
            return PricedRow(None, math.inf, math.inf)
        error = tb.horizon * 0.5 / _SCALE
        bound = solver.BestObjectiveBound() / _SCALE - error + self.constant
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return PricedRow(None, math.inf, bound)
        row = [OFF] * tb.horizon
        for (_, d, t), var in built.x.items():
            if solver.BooleanValue(var):
                row[d] = t
        value = float(sum(cost[d, t] for d, t in enumerate(row) if t != OFF)) + self.constant
        return PricedRow(row, value, min(bound, value))
