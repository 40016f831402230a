"""The restricted master of one week group: person-blocks, shift cover, unsocial spread.

Rows and variables, on top of one convexity row per person-block (``colgen.Master``):

- per shift of the group, ``min_staff <= people on it (+ shortfall) <= max_staff``; the
  shortfall variable exists only with ``allow_understaffing`` and costs what the
  objective charges;
- with ``spread=True`` (only when the group is the whole period), per first-line person p
  ``umax - U_p >= 0`` and ``U_p - umin >= 0``, U_p counting p's unsocial shifts;
  ``umax`` and ``umin`` carry the spread's weight.

A column's cost is the person's exact share of the objective (``score.person_counts``).
Without the spread, the master of each week group is a relaxation of that group's part
of the problem; their bounds add up (``spread.py`` adds a bound on the spread).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scheduler.solver import colgen
from scheduler.solver.decomposition.blocks import Block
from scheduler.solver.index import Index
from scheduler.solver.score import person_counts

ARTIFICIAL_COST = 1e6  # per unit of artificial slack on a block's convexity row
# Artificial slack on a shift's cover, per minute of the shift: dear enough that the LP
# soon gives it up, cheap enough that the first rounds' duals stay on the scale of the
# objective (measured on M-4weeks and L-3libraries: 25/min converges in the fewest rounds
# of 25, 100 and 1e7 total). The master raises it when pricing converges with slack left.
COVER_SLACK_PER_MINUTE = 25


class RosterMaster:
    """The column-generation master of one roster problem."""

    def __init__(
        self,
        idx: Index,
        blocks: list[Block],
        shifts: Iterable[int],
        *,
        spread: bool,
        unsocial_price: dict[int, float] | None = None,
        backend: str = "glop",
    ) -> None:
        self.idx = idx
        self.blocks = blocks
        # A price per unsocial shift and person, in place of the spread (for dives that
        # follow the whole-period LP's duals): column costs are then not the objective's.
        self.unsocial_price = unsocial_price or {}
        problem = idx.problem
        rules = problem.rules
        wts = rules.weights
        self.weights = wts
        self.cg = colgen.Master(len(blocks), artificial_cost=ARTIFICIAL_COST, backend=backend)
        self.cover: dict[int, int] = {}  # shift -> its row
        self.short: dict[int, int] = {}  # shift -> its shortfall variable
        for s in shifts:
            sh = problem.shifts[s]
            slack = COVER_SLACK_PER_MINUTE * idx.shifts[s].minutes
            r = self.cg.add_row(sh.min_staff, sh.max_staff, artificial_cost=slack)
            self.cover[s] = r
            if rules.allow_understaffing and sh.min_staff > 0:
                cost = wts["understaffing"] * idx.shifts[s].minutes
                self.short[s] = self.cg.add_var(colgen.ExtraVar(0, sh.min_staff, cost, ((r, 1.0),)))
        self.umax_row: dict[int, int] = {}
        self.umin_row: dict[int, int] = {}
        self.spread_vars: tuple[int, int] | None = None
        if spread and wts["unsocial_spread"] and len(idx.first_line) > 1:
            top = sum(1 for info in idx.shifts if info.unsocial)
            w = wts["unsocial_spread"]
            for p in idx.first_line:
                self.umax_row[p] = self.cg.add_row(0, float("inf"), artificial_cost=10 * w)
                self.umin_row[p] = self.cg.add_row(0, float("inf"), artificial_cost=10 * w)
            umax = self.cg.add_var(
                colgen.ExtraVar(0, top, w, tuple((r, 1.0) for r in self.umax_row.values()))
            )
            umin = self.cg.add_var(
                colgen.ExtraVar(0, top, -w, tuple((r, -1.0) for r in self.umin_row.values()))
            )
            self.spread_vars = (umax, umin)
        self.block_of: dict[tuple[int, int], int] = {}  # (person, week) -> block
        for b, block in enumerate(blocks):
            for w in block.weeks:
                self.block_of[(block.person, w)] = b

    def column(self, b: int, shifts: Iterable[int]) -> colgen.Column:
        """The column of block ``b`` holding ``shifts``, with its exact cost."""
        block = self.blocks[b]
        held = tuple(sorted(shifts))
        counts = person_counts(self.idx, block.person, held, block.weeks)
        coefs = [(self.cover[s], 1.0) for s in held]
        if counts.unsocial and self.umax_row:
            coefs.append((self.umax_row[block.person], -float(counts.unsocial)))
            coefs.append((self.umin_row[block.person], float(counts.unsocial)))
        cost = counts.cost(self.weights)
        if counts.unsocial and self.unsocial_price:
            cost += self.unsocial_price.get(block.person, 0.0) * counts.unsocial
        return colgen.Column(b, cost, tuple(sorted(coefs)), held)

    def unsocial_of(self, col: colgen.Column) -> int:
        """How many unsocial shifts a column holds (its count for the spread)."""
        return sum(1 for s in col.data if self.idx.shifts[s].unsocial)  # type: ignore[union-attr]

    def shift_prices(self, b: int, rows: Sequence[float]) -> dict[int, float]:
        """Each shift's linear price in block ``b`` under row duals ``rows``: preference,
        a kept previous assignment, cover duals and the person's unsocial duals."""
        idx = self.idx
        block = self.blocks[b]
        p = block.person
        wts = self.weights
        unsocial = self.unsocial_price.get(p, 0.0)
        if self.umax_row:
            unsocial += rows[self.umax_row[p]] - rows[self.umin_row[p]]
        w_pref, w_change = wts["preference"], wts["change"]
        out = {}
        for s in block.shifts:
            v = w_pref * idx.pref_cost.get((p, s), 0) - rows[self.cover[s]]
            if (p, s) in idx.previous:
                v -= w_change
            if idx.shifts[s].unsocial:
                v += unsocial
            out[s] = v
        return out

    def roster(self, choice: Sequence[int]) -> frozenset[tuple[int, int]]:
        """The (person, shift) pairs of one column per block."""
        pairs = set()
        for c in choice:
            col = self.cg.columns[c]
            p = self.blocks[col.block].person
            pairs.update((p, s) for s in col.data)  # type: ignore[union-attr]
        return frozenset(pairs)

    def columns_of(self, pairs: Iterable[tuple[int, int]]) -> list[colgen.Column]:
        """The roster ``pairs`` cut into one column per block."""
        held: dict[int, list[int]] = {b: [] for b in range(len(self.blocks))}
        for p, s in pairs:
            b = self.block_of.get((p, self.idx.shifts[s].week))
            if b is not None:
                held[b].append(s)
        return [self.column(b, ss) for b, ss in held.items()]
