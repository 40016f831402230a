"""Pricing rounds: solve the master, price every block under its duals, add columns.

The caller prices. A pricer takes the duals and the blocks to price and returns, per
block, a few columns and a *proven lower bound* on the smallest Lagrangian cost
(``Duals.price``) of any column of that block — the exact minimum when pricing is exact,
a solver's proven bound otherwise, ``None`` when it has none. Whenever every block comes
back with a lower bound, the round yields a Lagrangian bound on the whole problem
(``Master.lagrangian_bound``), valid for any duals; at convergence with exact pricing it
equals the LP value.

Dual smoothing (Wentges): with ``smoothing`` > 0, blocks are priced at a point between the
duals that gave the best bound so far and the current LP duals, which damps the
oscillation of the duals and reaches the LP optimum in fewer rounds. A column is only
added when its reduced cost at the *LP* duals is negative; a smoothed round that adds
nothing is repeated at the LP duals, so convergence is never declared too early.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scheduler.solver.colgen.master import Column, Duals, Master, MasterSolution


@dataclass(frozen=True, slots=True)
class Priced:
    """One block's pricing: columns to offer and a proven lower bound on its best price."""

    columns: Sequence[Column]
    lower: float | None


Pricer = Callable[[Duals, Sequence[int]], Sequence[Priced]]


@dataclass(frozen=True, slots=True)
class Round:
    """What one pricing round did (for progress reports and logs)."""

    number: int
    lp_value: float
    bound: float | None  # best Lagrangian bound so far (whole problem only)
    added: int
    artificial: float
    elapsed_s: float


@dataclass
class CgResult:
    lp_value: float | None  # the last master LP value (with artificials, if any)
    bound: float | None  # best proven lower bound on the whole problem, when computed
    converged: bool  # no improving column exists (the LP is optimal over all columns)
    rounds: int
    solution: MasterSolution | None = None  # the last master solution


def generate(
    master: Master,
    pricer: Pricer,
    *,
    deadline: float,
    blocks: Sequence[int] | None = None,
    max_rounds: int | None = None,
    smoothing: float = 0.0,
    tolerance: float = 1e-6,
    integral: bool = False,
    stop: Callable[[], bool] | None = None,
    on_round: Callable[[Round], None] | None = None,
) -> CgResult:
    """Run pricing rounds until convergence, ``deadline`` (``time.monotonic()``),
    ``max_rounds`` or ``stop()``.

    :param blocks: the blocks to price (default: every block not fixed). A bound is only
        computed when every block is priced and none is fixed.
    :param integral: every solution has an integer objective, so stop as soon as the
        rounded-up bound reaches the LP value (no later round can raise it).
    """
    t0 = time.monotonic()
    whole = blocks is None and not master.fixed
    active = (
        list(blocks)
        if blocks is not None
        else [b for b in range(master.blocks) if b not in master.fixed]
    )
    bound: float | None = None
    center: Sequence[float] | None = None
    lp_value: float | None = None
    solution: MasterSolution | None = None
    rounds = 0
    while True:
        if max_rounds is not None and rounds >= max_rounds:
            break
        if time.monotonic() >= deadline or (stop is not None and stop()):
            break
        left = deadline - time.monotonic()
        solution = master.solve(None if math.isinf(left) else left)
        if solution is None:
            break
        lp_value = solution.value
        duals = solution.duals
        rounds += 1
        if not active:
            return CgResult(lp_value, bound, True, rounds, solution)
        theta = smoothing if center is not None else 0.0
        added = 0
        exact_round = False
        for attempt in (theta, 0.0) if theta else (0.0,):
            at = duals
            if attempt:
                mixed = zip(center, duals.rows, strict=True)
                at = Duals([attempt * c + (1 - attempt) * y for c, y in mixed], duals.blocks)
            priced = pricer(at, active)
            lowers_ok = len(priced) == len(active) and all(p.lower is not None for p in priced)
            if whole and lowers_ok:
                lb = master.lagrangian_bound(at, [p.lower for p in priced])  # type: ignore[misc]
                if bound is None or lb > bound:
                    bound = lb
                    center = list(at.rows)
            for p in priced:
                for col in p.columns:
                    if duals.reduced_cost(col) < -tolerance and master.add_column(col) is not None:
                        added += 1
            # Proven optimal over all columns: no block can price below its dual.
            exact_round = (
                lowers_ok
                and not attempt
                and all(
                    p.lower - duals.blocks[b] >= -tolerance  # type: ignore[operator]
                    for b, p in zip(active, priced, strict=True)
                )
            )
            if added:
                break
        if on_round is not None:
            on_round(
                Round(rounds, lp_value, bound, added, solution.artificial, time.monotonic() - t0)
            )
        if exact_round:
            # No column can improve: the LP is optimal over all columns, and its value (a
            # relaxation's, even with artificial slack in it) bounds the whole problem.
            if whole:
                bound = lp_value if bound is None else max(bound, lp_value)
            if solution.artificial > tolerance and master.raise_artificial(solution):
                continue  # slack too cheap to give up: dearer slack, more rounds
            return CgResult(lp_value, bound, True, rounds, solution)
        if (
            integral
            and bound is not None
            and math.ceil(bound - 1e-6) >= math.ceil(lp_value - 1e-6)
            and solution.artificial <= tolerance
        ):
            return CgResult(lp_value, bound, True, rounds, solution)
    return CgResult(lp_value, bound, False, rounds, solution)
