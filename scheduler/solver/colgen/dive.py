"""Diving: fix blocks to their most-used column, re-price the rest, repeat.

A depth-first walk down one branch of price-and-branch without backtracking: after each
fixing step a few pricing rounds let the free blocks adapt to what was fixed (so the
dive follows the LP rather than rounding it once). Steps fix every block whose column is
(nearly) integral, and more per step when time is short, so a dive always ends by its
deadline. The master's fixings are undone before it returns; the columns priced on the
way stay in the master (the integer master uses them).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from scheduler.solver.colgen.generate import Pricer, generate
from scheduler.solver.colgen.master import Master

INTEGRAL = 0.99  # a column used this much is taken as chosen


def dive(
    master: Master,
    pricer: Pricer,
    *,
    deadline: float,
    rounds_per_step: int = 3,
    tolerance: float = 1e-6,
    stop: Callable[[], bool] | None = None,
) -> list[int] | None:
    """One column per block (column ids), or None when the dive ends infeasible."""
    fixed: dict[int, int] = {}
    step_s = 0.0
    try:
        while len(fixed) < master.blocks:
            if stop is not None and stop():
                return None
            solution = master.solve()
            if solution is None:
                return None
            free = [b for b in range(master.blocks) if b not in fixed]
            best = []
            for b in free:
                values = master.block_values(solution, b)
                if not values:
                    return None  # a block without columns: nothing to dive to
                value, c = values[0]
                best.append((value, b, c))
            best.sort(key=lambda t: (-t[0], t[1]))
            now = time.monotonic()
            if now >= deadline:
                count = len(best)  # out of time: round the rest at once
            else:
                count = max(1, sum(1 for v, _, _ in best if v >= INTEGRAL), len(best) // 10)
                if step_s:
                    steps_left = max(1.0, (deadline - now) / step_s)
                    count = max(count, math.ceil(len(best) / steps_left))
            for _, b, c in best[:count]:
                fixed[b] = c
                master.fix(b, c)
            left = [b for b in free if b not in fixed]
            if left and time.monotonic() < deadline:
                generate(
                    master,
                    pricer,
                    deadline=deadline,
                    blocks=left,
                    max_rounds=rounds_per_step,
                    tolerance=tolerance,
                    stop=stop,
                )
            step_s = time.monotonic() - now
        final = master.solve()
        if final is None or final.artificial > tolerance:
            return None
        return [fixed[b] for b in range(master.blocks)]
    finally:
        master.release()
