"""Pricing person-blocks under the master's duals: labelling, or CP-SAT where it cannot.

Each block gets its shifts' linear prices from the duals (``RosterMaster.shift_prices``)
and returns a few cheapest schedules as columns, with the exact cheapest price as the
proven lower bound the Lagrangian bound needs. Blocks the labelling cannot enumerate are
priced by their own small CP-SAT model (``cpsat_pricing.py``), whose proven bound is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from scheduler.solver import colgen
from scheduler.solver.decomposition.array_pricing import ArrayPricer
from scheduler.solver.decomposition.labelling import label
from scheduler.solver.decomposition.master import RosterMaster

KEEP = 2  # columns offered per block and round (measured: 1-3 alike; 2 converges steadiest)
IMPROVES = 1e-6  # a schedule priced this far below its block's dual becomes a column

# (block, shift prices) -> (proven lower bound or None, schedules)
BlockPricer = Callable[[int, dict[int, float]], tuple[float | None, list[tuple[int, ...]]]]


def make_pricer(
    rm: RosterMaster, fallback: BlockPricer | None = None, keep: int = KEEP
) -> colgen.Pricer:
    """A ``colgen`` pricer over the master's blocks: all one-week labelled blocks at once
    (``array_pricing.py``), other labelled blocks one by one, and ``fallback(b, prices)``
    for blocks without segments: (a proven lower bound, schedules); without it such
    blocks offer nothing and no bound is claimed. Only schedules that would improve the
    LP become columns."""
    w_target = rm.weights["target"]
    arrays = ArrayPricer(rm)

    def price(duals: colgen.Duals, blocks: Sequence[int]) -> list[colgen.Priced]:
        out = []
        vector = arrays.price(duals.rows, keep)
        for b in blocks:
            mu = duals.blocks[b]
            got = vector.get(b)
            if got is not None:
                lower = None if math.isinf(got.best) else got.best
                cols = [rm.column(b, s) for v, s in got.schedules if v - mu < -IMPROVES]
                out.append(colgen.Priced(cols, lower))
                continue
            prices = rm.shift_prices(b, duals.rows)
            block = rm.blocks[b]
            if block.segments is not None:
                lab = label(block, prices, w_target, keep=keep)
                lower: float | None = lab.best
                schedules = [s for _, s in lab.schedules]
            elif fallback is not None:
                lower, schedules = fallback(b, prices)
            else:
                lower, schedules = None, []
            if lower is not None and math.isinf(lower):
                lower = None  # no schedule at all: the master's artificials show it
            out.append(colgen.Priced([rm.column(b, s) for s in schedules], lower))
        return out

    return price
