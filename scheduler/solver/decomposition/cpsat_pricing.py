"""Pricing one person-block with CP-SAT, for blocks the labelling cannot enumerate.

The block's model is the engine's own: the person's variables over the block's weeks,
the hard rules H2-H9 and the objective terms from ``formulation.py`` (H1 and the spread
belong to the master), built once. Each round sets the objective to the terms plus the
shifts' dual prices, scaled to integers for CP-SAT; the rounding is accounted for in the
lower bound it returns, so the Lagrangian bound stays valid. Measured against labelling
by ``bench/engine_probe.py --pricing`` (labelling is far faster where it applies).
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from scheduler.solver.decomposition.blocks import Block
from scheduler.solver.formulation import add_hard_rules, objective_terms
from scheduler.solver.index import Index
from scheduler.solver.rules.context import build_context

SCALE = 1000  # duals are rounded to 1/SCALE
TIME_LIMIT_S = 0.5  # per block and round
KEEP = 2  # schedules returned (the best last found, and the one before)


class CpSatPricer:
    """One block's pricing model, built once and re-solved under new prices."""

    def __init__(self, idx: Index, block: Block, *, seed: int = 0) -> None:
        self.idx = idx
        self.block = block
        self.seed = seed
        p = block.person
        ctx = build_context(
            idx, weeks=block.weeks, persons=[p], cover=False, whole_staff=False, spread=False
        )
        add_hard_rules(ctx)
        self.terms = objective_terms(ctx)
        self.model = ctx.model
        self.x = {s: v for (_, s), v in ctx.vars.x.items()}
        # The objective here counts every previous assignment of the block as changed
        # and credits each kept one; a column's cost only credits: take the count off.
        w = idx.problem.rules.weights["change"]
        self.change_constant = w * sum(
            1
            for a in idx.problem.previous
            if idx.staff_pos[a.staff] == p
            and idx.shifts[idx.shift_pos[a.shift]].week in block.weeks
        )
        self.base = sum(t.weight * t.expr for t in self.terms)

    def __call__(self, extra: dict[int, float]) -> tuple[float | None, list[tuple[int, ...]]]:
        """``extra[s]`` is each shift's price beyond the objective's own terms (duals,
        unsocial prices). Returns a proven lower bound on the block's best price (None
        if CP-SAT proved none in time, ``inf`` if the block has no schedule) and a few
        schedules."""
        coefs = {s: round(v * SCALE) for s, v in extra.items() if s in self.x}
        error = sum(0.5 for s in coefs) / SCALE  # rounding moves a schedule at most this
        self.model.minimize(SCALE * self.base + sum(c * self.x[s] for s, c in coefs.items() if c))
        found: list[tuple[int, ...]] = []

        class _Keep(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(cb) -> None:  # noqa: N805 - the callback's own self
                found.append(tuple(sorted(s for s, v in self.x.items() if cb.boolean_value(v))))

        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = TIME_LIMIT_S
        solver.parameters.random_seed = self.seed
        status = solver.solve(self.model, _Keep())
        if status == cp_model.INFEASIBLE:
            return math.inf, []
        if not math.isfinite(solver.best_objective_bound):
            return None, found[-KEEP:]
        lower = solver.best_objective_bound / SCALE - error - self.change_constant
        return lower, found[-KEEP:]
