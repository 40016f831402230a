"""Diving: fix blocks to their most-used column, re-price the rest, repeat.

A depth-first walk down one branch of price-and-branch: after each fixing step a few
pricing rounds let the free blocks adapt to what was fixed (so the dive follows the LP
rather than rounding it once). Steps fix every block whose column is (nearly) integral
and a share of the others, more when time is short, so a dive ends by its deadline.

When a step leaves the LP needing artificial slack (the free blocks can no longer meet
the rows, or lack the columns to yet: ``repair_rounds`` more pricing rounds look for
those first), it is undone: a step of several blocks is retried one block at a time, and a
single block's column is forbidden for the rest of the dive. The master's fixings are
undone before the dive returns; the columns priced on the way stay in the master (the
integer master uses them).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from scheduler.solver.colgen.generation import Pricer, generate
from scheduler.solver.colgen.master import Master

INTEGRAL = 0.99  # a column used this much is taken as chosen


def dive(
    master: Master,
    pricer: Pricer,
    *,
    deadline: float,
    rounds_per_step: int = 3,
    step_share: float = 0.1,
    tolerance: float = 1e-6,
    backtracks: int = 30,
    repair_rounds: int = 0,
    stop: Callable[[], bool] | None = None,
    on_fail: Callable[[dict[int, int], list[int]], None] | None = None,
) -> list[int] | None:
    """One column per block (column ids), or None when the dive ends infeasible.

    Each step fixes the (nearly) integral blocks and at least ``step_share`` of the free
    ones, then prices ``rounds_per_step`` rounds (measured on a week of the 10-library
    roster scenario: a quarter and two rounds dive to 3,630 in 4.5 s, a tenth and three
    rounds to 4,020 in 16 s; LP 3,420 — the roster engine passes 0.25 and 2).

    :param repair_rounds: when a step leaves the LP needing artificial slack, up to this
        many more pricing rounds before the step is undone: the free blocks may only
        lack the columns that fit around it (a week of the 10-library roster scenario:
        the first dive 7.5 s with 28 steps undone, against 2-4 s with none undone and
        10 rounds).
    :param on_fail: hears, when the dive fails, the blocks it had fixed (block -> column)
        and each block's most-used column in the last LP (-1 for a block without any),
        so the caller may complete that partial solution another way.
    """
    step_s = 0.0
    careful = False  # after a failed step: one block at a time
    solution = None
    committed: dict[int, int] | None = None  # the fixings before a final rounding

    def reprice(left: list[int], rounds: int) -> bool:
        """Up to ``rounds`` pricing rounds for the free blocks ``left``; False if none
        could run."""
        if not (rounds and left and time.monotonic() < deadline):
            return False
        generate(master, pricer, deadline=deadline, blocks=left,
                 max_rounds=rounds, tolerance=tolerance, stop=stop)  # fmt: skip
        return True

    def fail() -> None:
        if on_fail is not None:
            last = solution if solution is not None else master.solve()
            top = []
            for b in range(master.blocks):
                values = master.block_values(last, b) if last is not None else []
                top.append(values[0][1] if values else -1)
            on_fail(dict(master.fixed if committed is None else committed), top)

    try:
        solution = master.solve()
        while len(master.fixed) < master.blocks:
            if solution is None or (stop is not None and stop()):
                fail()
                return None
            free = [b for b in range(master.blocks) if b not in master.fixed]
            best = []
            for b in free:
                values = [(v, c) for v, c in master.block_values(solution, b)
                          if c not in master.forbidden]  # fmt: skip
                if not values:
                    fail()
                    return None  # a block without columns: nothing to dive to
                value, c = values[0]
                best.append((value, b, c))
            best.sort(key=lambda t: (-t[0], t[1]))
            now = time.monotonic()
            late = now >= deadline
            if late:
                count = len(best)  # out of time: round the rest at once
                committed = dict(master.fixed)
            else:
                count = 1 if careful else max(1, sum(v >= INTEGRAL for v, _, _ in best),
                                              int(len(best) * step_share))  # fmt: skip
                if step_s:
                    steps_left = max(1.0, (deadline - now) / step_s)
                    count = max(count, math.ceil(len(best) / steps_left))
            step = best[:count]
            for _, b, c in step:
                master.fix(b, c)
            left = [b for b in free if b not in master.fixed]
            reprice(left, rounds_per_step)
            solution = master.solve()
            short = solution is not None and solution.artificial > tolerance and not late
            if short and reprice(left, repair_rounds):
                # The free blocks may only have lacked the columns that fit around the step.
                solution = master.solve()
            step_s = time.monotonic() - now
            if solution is not None and solution.artificial > tolerance and not late:
                # The rest can no longer meet the rows: undo this step.
                backtracks -= 1
                if backtracks < 0:
                    fail()
                    return None
                for _, b, _ in step:
                    master.release(b)
                if len(step) == 1:
                    master.forbid(step[0][2])
                careful = True
                solution = master.solve()
        final = master.solve() if solution is None else solution
        if final is None or final.artificial > tolerance:
            fail()
            return None
        return [master.fixed[b] for b in range(master.blocks)]
    finally:
        master.release()
