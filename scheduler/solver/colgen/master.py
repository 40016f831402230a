"""The restricted master: one convexity row per block, linking rows, extra variables.

The master LP is

    minimise    sum of column costs * lambda  +  sum of extra-variable costs * v
    subject to  sum of lambda over each block's columns = 1          (convexity, dual mu_b)
                lo_r <= sum a_rc * lambda_c + sum a_rv * v <= hi_r  (linking rows, dual y_r)
                lambda >= 0,  lo_v <= v <= hi_v

Every row gets artificial slack variables at ``artificial_cost`` (or its own), so the LP
is feasible from the first round (before any block has a column that fits): the
artificial LP is a relaxation of the true one, so its values and bounds stay valid lower
bounds. A moderate cost keeps the first rounds' duals moderate (a huge one sends pricing
after columns that only chase the artificials); when slack is still used once pricing
has converged, :meth:`raise_artificial` makes it dearer and the rounds go on.

Duals come back *projected* onto their valid signs (a one-sided row's dual cannot point
the wrong way), so a caller may use them in a Lagrangian bound without further checks.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from scheduler.solver.colgen.lp import INF, LpBackend, make_backend

ARTIFICIAL_MAX = 1e9  # past this, slack that is still used means the rows cannot be met


@dataclass(frozen=True, slots=True)
class Column:
    """One block's candidate: its exact cost and its coefficients in the linking rows.

    ``data`` is the caller's own description (e.g. the shifts one person holds in one
    week); a block never holds two columns with equal ``data``.
    """

    block: int
    cost: float
    coefs: tuple[tuple[int, float], ...]
    data: Hashable = None


@dataclass(frozen=True, slots=True)
class ExtraVar:
    """A variable of the caller's own (a shortfall, a maximum over blocks ...)."""

    lo: float
    hi: float
    cost: float
    coefs: tuple[tuple[int, float], ...]
    integer: bool = True


@dataclass(frozen=True, slots=True)
class Duals:
    """Row duals ``rows`` (projected) and block duals ``blocks`` (the convexity rows)."""

    rows: Sequence[float]
    blocks: Sequence[float]

    def price(self, column: Column) -> float:
        """The column's cost at these duals, before its block's dual: its Lagrangian cost."""
        rows = self.rows
        return column.cost - sum(rows[r] * a for r, a in column.coefs)

    def reduced_cost(self, column: Column) -> float:
        return self.price(column) - self.blocks[column.block]


@dataclass(frozen=True, slots=True)
class MasterSolution:
    value: float  # includes artificial costs, if any are used
    duals: Duals
    column_values: Sequence[float]  # per column id
    var_values: Sequence[float]  # per extra variable id
    artificial: float  # sum of artificial slack: > 0 means the columns cannot fit yet
    artificial_values: Sequence[float] = ()


@dataclass
class Master:
    """The restricted master LP, grown column by column.

    :param blocks: number of blocks (each picks exactly one column).
    :param artificial_cost: price of one unit of artificial slack on a row (by default).
    :param backend: ``"glop"`` (pywraplp) or ``"mathopt"`` (MathOpt's incremental GLOP).
    """

    blocks: int
    artificial_cost: float = 1e6
    backend: str = "glop"
    rows: list[tuple[float, float]] = field(default_factory=list)
    variables: list[ExtraVar] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lp: LpBackend = make_backend(self.backend)
        self.by_block: list[list[int]] = [[] for _ in range(self.blocks)]
        self.fixed: dict[int, int] = {}  # block -> the only column it may use
        self.forbidden: set[int] = set()  # columns a dive ruled out
        self._seen: list[set[Hashable]] = [set() for _ in range(self.blocks)]
        self._convex = [self.lp.add_row(1, 1) for _ in range(self.blocks)]
        self._row_lp: list[int] = []
        self._var_lp: list[int] = []
        self._col_lp: list[int] = []
        self._artificial: list[int] = []
        self._artificial_cost: list[float] = []
        for b in range(self.blocks):
            self._add_artificial(self.artificial_cost, self._convex[b], 1.0)

    # -- building ---------------------------------------------------------------------

    def _add_artificial(self, cost: float, row: int, sign: float) -> None:
        self._artificial.append(self.lp.add_var(0, INF, cost, [(row, sign)]))
        self._artificial_cost.append(cost)

    def add_row(self, lo: float, hi: float, *, artificial_cost: float | None = None) -> int:
        """A linking row ``lo <= ... <= hi`` (use ``math.inf`` for an open side)."""
        if lo > hi:
            raise ValueError(f"row: lower side {lo} is above upper side {hi}")
        r = self.lp.add_row(lo, hi)
        self.rows.append((lo, hi))
        self._row_lp.append(r)
        cost = self.artificial_cost if artificial_cost is None else artificial_cost
        if lo > -INF:
            self._add_artificial(cost, r, 1.0)
        if hi < INF:
            self._add_artificial(cost, r, -1.0)
        return len(self.rows) - 1

    def raise_artificial(self, solution: MasterSolution, factor: float = 10.0) -> bool:
        """Make the artificial slack the solution uses ``factor`` times dearer (up to
        ``ARTIFICIAL_MAX``); False when nothing could be raised."""
        raised = False
        for i, v in enumerate(self._artificial):
            cost = self._artificial_cost[i]
            if solution.artificial_values[i] > 1e-9 and cost < ARTIFICIAL_MAX:
                cost = min(ARTIFICIAL_MAX, cost * factor)
                self._artificial_cost[i] = cost
                self.lp.set_cost(v, cost)
                raised = True
        return raised

    def add_var(self, var: ExtraVar) -> int:
        """An extra variable over existing rows."""
        for r, _ in var.coefs:
            if not 0 <= r < len(self.rows):
                raise ValueError(f"var.coefs: no row {r}")
        self._var_lp.append(
            self.lp.add_var(var.lo, var.hi, var.cost, [(self._row_lp[r], a) for r, a in var.coefs])
        )
        self.variables.append(var)
        return len(self.variables) - 1

    def add_column(self, column: Column) -> int | None:
        """Add a column; its id, or None when its block already has it."""
        b = column.block
        if not 0 <= b < self.blocks:
            raise ValueError(f"column.block: no block {b}")
        key = column.data if column.data is not None else (column.cost, column.coefs)
        if key in self._seen[b]:
            return None
        self._seen[b].add(key)
        row_lp = self._row_lp
        coefs = [(self._convex[b], 1.0)]
        coefs.extend((row_lp[r], a) for r, a in column.coefs)
        v = self.lp.add_var(0, INF, column.cost, coefs)
        self.columns.append(column)
        self._col_lp.append(v)
        c = len(self.columns) - 1
        self.by_block[b].append(c)
        if b in self.fixed:
            self.lp.set_bounds(v, 0, 0)  # a fixed block takes no new column
        return c

    # -- diving -----------------------------------------------------------------------

    def fix(self, block: int, column: int) -> None:
        """Let ``block`` use ``column`` only (until :meth:`release`)."""
        if self.columns[column].block != block:
            raise ValueError(f"column: column {column} is not in block {block}")
        self.fixed[block] = column
        for c in self.by_block[block]:
            self.lp.set_bounds(self._col_lp[c], 0, INF if c == column else 0)
        self.forbidden.discard(column)

    def forbid(self, column: int) -> None:
        """Keep ``column`` out of the LP (until :meth:`release` of every block)."""
        self.forbidden.add(column)
        self.lp.set_bounds(self._col_lp[column], 0, 0)

    def release(self, block: int | None = None) -> None:
        """Undo :meth:`fix` for ``block``; with None, undo every fix and forbid."""
        blocks = list(self.fixed) if block is None else [block]
        for b in blocks:
            if self.fixed.pop(b, None) is not None:
                for c in self.by_block[b]:
                    if c not in self.forbidden:
                        self.lp.set_bounds(self._col_lp[c], 0, INF)
        if block is None:
            for c in self.forbidden:
                self.lp.set_bounds(self._col_lp[c], 0, INF)
            self.forbidden.clear()

    # -- solving ----------------------------------------------------------------------

    def solve(self, time_limit: float | None = None) -> MasterSolution | None:
        """The LP's optimum over the columns so far (None if not found in ``time_limit``
        seconds, when given)."""
        result = self.lp.solve(time_limit)
        if result is None:
            return None
        d = result.duals
        rows = []
        for (lo, hi), r in zip(self.rows, self._row_lp, strict=True):
            y = d[r]
            if lo == -INF:
                y = min(y, 0.0)
            if hi == INF:
                y = max(y, 0.0)
            rows.append(y)
        primal = result.primal
        return MasterSolution(
            value=result.value,
            duals=Duals(rows, [d[r] for r in self._convex]),
            column_values=[primal[v] for v in self._col_lp],
            var_values=[primal[v] for v in self._var_lp],
            artificial=sum(primal[v] for v in self._artificial),
            artificial_values=[primal[v] for v in self._artificial],
        )

    def lagrangian_bound(self, duals: Duals, lowers: Sequence[float]) -> float:
        """A lower bound on the true (integer) optimum, from any row duals of valid sign.

        ``lowers[b]`` is a proven lower bound on the smallest ``duals.price`` over *all*
        columns of block b (not just those in the master), as exact pricing returns.
        It is ``-inf`` when an extra variable's domain lets the relaxation run away.
        """
        if len(lowers) != self.blocks:
            raise ValueError(f"lowers: {len(lowers)} values for {self.blocks} blocks")
        y = duals.rows
        total = math.fsum(lowers)
        for (lo, hi), yr in zip(self.rows, y, strict=True):
            if yr > 0:
                total += yr * lo
            elif yr < 0:
                total += yr * hi
        for var in self.variables:
            d = var.cost - sum(y[r] * a for r, a in var.coefs)
            end = var.lo if d >= 0 else var.hi
            if d and math.isinf(end):
                return -INF
            total += d * end if d else 0.0
        return total

    def block_values(self, solution: MasterSolution, block: int) -> list[tuple[float, int]]:
        """The block's columns with their LP values, largest first."""
        vals = solution.column_values
        return sorted(((vals[c], c) for c in self.by_block[block]), key=lambda t: (-t[0], t[1]))


def as_coefs(pairs: Iterable[tuple[int, float]]) -> tuple[tuple[int, float], ...]:
    """Merge repeated rows and drop zeros, in row order (a canonical column)."""
    merged: dict[int, float] = {}
    for r, a in pairs:
        merged[r] = merged.get(r, 0.0) + a
    return tuple(sorted((r, a) for r, a in merged.items() if a))
