"""The Curtois problem on the column-generation package: a block per employee, a row per
cover requirement, the row DP as pricer.

Why: the compact model's LP bound is very weak on these instances (cover can be spread
fractionally), so CP-SAT searches almost blind. A master over whole rows (one per
employee, cover counted from the chosen rows) has a strong LP, as the literature's
column-generation bounds show. Every hard rule concerns one employee's row, so a column is
one row that keeps them all and costs its requests; cover rows ``n[d, t] + under - over =
requirement`` carry the priced under- and over-staffing as extra variables.
``scheduler.solver.colgen`` runs the master LP, the pricing rounds with their Lagrangian
bound, the dive and the MIP over the generated rows; this module says what a row is.

Pricing is the row DP (``pricing.py``), through ``pricing_pool.py``: split over the
cores when the caller gives a pool of several, in this process otherwise. When it finds
no improving row for an employee but cannot prove there is none (a cap it prices rather
than counts), the employee's CP-SAT row model prices it again within ``exact_time``
seconds; when that is not allowed or not enough, :meth:`RowsMaster.stuck` tells
``colgen.generate`` to stop rather than repeat the same round.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scheduler.solver import colgen
from scheduler.solver.curtois.model import Grid, Tables
from scheduler.solver.curtois.pricing import RowPricer, row_requests
from scheduler.solver.curtois.pricing_pool import PricingPool

Row = tuple[int, ...]


class RowsMaster:
    """The restricted master over employees' rows, and its pricer."""

    def __init__(
        self,
        tables: Tables,
        pricers: list[RowPricer],
        *,
        exact_time: float = 0.0,
        pool: PricingPool | None = None,
    ) -> None:
        self.tb = tables
        self.pricers = pricers
        self.exact_time = exact_time
        self.pool = pool if pool is not None else PricingPool(pricers, 1)
        self.master = colgen.Master(blocks=tables.n_staff)
        self.row_of: dict[tuple[int, int], int] = {}
        keys = sorted(tables.cover)
        for d, t in keys:
            req, wu, wo = tables.cover[d, t]
            r = self.master.add_row(req, req)
            self.row_of[d, t] = r
            self.master.add_var(colgen.ExtraVar(0, req, wu, ((r, 1.0),)))
            self.master.add_var(colgen.ExtraVar(0, tables.n_staff, wo, ((r, -1.0),)))
        self._cells = np.array(keys, dtype=np.int64).reshape(-1, 2)
        self._stuck = False
        self.deadline = float("inf")

    # -- columns ----------------------------------------------------------------------

    def column(self, e: int, row: Row) -> colgen.Column:
        coefs = tuple(
            sorted((self.row_of[d, t], 1.0) for d, t in enumerate(row) if (d, t) in self.row_of)
        )
        return colgen.Column(e, float(row_requests(self.tb, e, row)), coefs, row)

    def add(self, e: int, row: Row | list[int]) -> int:
        """Add a row as a column (if new); its column id either way."""
        row = tuple(row)
        c = self.master.add_column(self.column(e, row))
        if c is not None:
            return c
        return next(i for i in self.master.by_block[e] if self.master.columns[i].data == row)

    def add_grid(self, grid: Grid) -> list[int]:
        """Every row of a roster as columns; the column id per employee."""
        return [self.add(e, row) for e, row in enumerate(grid)]

    def grid(self, choice: Sequence[int]) -> Grid:
        """The roster made of one column per employee."""
        return [list(self.master.columns[c].data) for c in choice]  # type: ignore[arg-type]

    # -- pricing ----------------------------------------------------------------------

    def prices(self, duals: colgen.Duals) -> np.ndarray:
        """Cover duals as a days x shifts matrix (0 where a cell has no cover row)."""
        out = np.zeros((self.tb.horizon, self.tb.n_shifts))
        if len(self._cells):
            out[self._cells[:, 0], self._cells[:, 1]] = duals.rows
        return out

    def pricer(self, duals: colgen.Duals, blocks: Sequence[int]) -> list[colgen.Priced]:
        """``colgen.Pricer``: the DP per employee, CP-SAT where the DP cannot prove."""
        prices = self.prices(duals)
        mus = [duals.blocks[e] for e in blocks]
        offers = self.pool.offer(prices, blocks, mus, self.exact_time, self.deadline)
        out = [
            colgen.Priced([self.column(e, row) for _, row in offer.rows], offer.lower)
            for e, offer in zip(blocks, offers, strict=True)
        ]
        improving = any(offer.better for offer in offers)
        unproven = any(offer.unproven for offer in offers)
        self._stuck = not improving and unproven
        return out

    def stuck(self) -> bool:
        """The last round found nothing but could not prove the LP optimal."""
        return self._stuck

    # -- running ----------------------------------------------------------------------

    def generate(self, deadline: float, **options: object) -> colgen.CgResult:
        """Pricing rounds over every employee (``colgen.generate`` with smoothing)."""
        self.deadline = deadline
        self._stuck = False
        return colgen.generate(
            self.master,
            self.pricer,
            deadline=deadline,
            smoothing=0.5,
            integral=True,
            stop=self.stuck,
            **options,  # type: ignore[arg-type]
        )

    def dive(self, deadline: float, rounds_per_step: int = 30) -> Grid | None:
        """``colgen.dive``: fix employees to their most-used row, re-price, repeat."""
        self.deadline = deadline
        choice = colgen.dive(
            self.master, self.pricer, deadline=deadline, rounds_per_step=rounds_per_step
        )
        return None if choice is None else self.grid(choice)

    def best_mix(
        self, hint: Grid, time_limit: float, workers: int, seed: int
    ) -> tuple[Grid, int] | None:
        """The best roster made of generated rows (``colgen.solve_integer``), hinted."""
        columns = self.add_grid(hint)
        result = colgen.solve_integer(
            self.master, time_limit=time_limit, workers=workers, seed=seed, hint=columns
        )
        if result is None or min(result.choice) < 0:
            return None
        return self.grid(result.choice), result.objective
