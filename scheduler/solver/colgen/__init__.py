"""Column generation (Dantzig-Wolfe decomposition) for problems made of blocks.

A problem fits when its solution picks **one column per block** (a block is, say, one
person's week; a column is one schedule that person could work), every rule inside a
block holds by construction of its columns, and the blocks meet only in **linking rows**
(cover a shift, keep a count under a maximum ...), possibly with **extra variables** of
the caller's own (a priced shortfall, a maximum over blocks). The caller knows the
blocks; this package knows the linear programming:

    from scheduler.solver import colgen

    master = colgen.Master(blocks=n)                   # one convexity row per block
    r = master.add_row(lo, hi)                         # a linking row, lo <= ... <= hi
    master.add_var(colgen.ExtraVar(0, 3, 100, ((r, 1.0),)))   # e.g. a priced slack
    master.add_column(colgen.Column(block, cost, ((r, 1.0), ...), data))  # first columns

    def pricer(duals: colgen.Duals, blocks) -> list[colgen.Priced]:
        # per block: columns with low duals.price(column) = cost - sum(y_r * a_r),
        # and a proven lower bound on that price over ALL the block's columns
        ...

    cg = colgen.generate(master, pricer, deadline=time.monotonic() + 5, integral=True)
    cg.bound                  # proven lower bound on the true optimum (or None)
    choice = colgen.dive(master, pricer, deadline=...)          # column id per block
    best = colgen.solve_integer(master, time_limit=2, hint=choice)  # MIP over columns

- :class:`Master` is the restricted master LP (GLOP via pywraplp by default, ``"clp"``
  for COIN-OR CLP, ``"mathopt"`` for MathOpt's incremental GLOP). Every row carries
  artificial slack at ``artificial_cost`` (``add_row(..., artificial_cost=)`` per row), so
  the LP solves before any block has a fitting column; slack still used when pricing has
  converged is made dearer (``raise_artificial``) and the rounds go on. Duals are
  projected onto their valid signs. ``fix``/``forbid``/``release`` serve diving.
- :func:`generate` runs pricing rounds. With every block priced, each round gives a
  **Lagrangian bound** ``sum_r side(y_r) + sum_v min(d_v v) + sum_b lower_b``, valid for
  any duals; at convergence with exact pricing the LP value is the bound. ``smoothing``
  turns on Wentges dual smoothing; ``integral=True`` stops once the rounded-up bound
  meets the LP value.
- :func:`dive` fixes blocks to their most-used column step by step, re-pricing between
  steps; a step that leaves the rows unmeetable is undone (then one block at a time, a
  failing column forbidden). It ends by its deadline; ``on_fail`` hears the fixings of
  a dive that failed, so the caller can complete them another way.
- :func:`solve_integer` picks one column per block among the generated ones, every row
  hard, with CP-SAT (``backend="cpsat"``, integer data; ``extend`` adds the caller's own
  constraints and objective terms) or SCIP (``"scip"``).

Nothing here knows about rosters; ``scheduler.solver.decomposition`` prices person-weeks
of a roster with it.
"""

from __future__ import annotations

from scheduler.solver.colgen.diving import dive
from scheduler.solver.colgen.generation import CgResult, Priced, Pricer, Round, generate
from scheduler.solver.colgen.integer import IntegerResult, solve_integer
from scheduler.solver.colgen.master import Column, Duals, ExtraVar, Master, MasterSolution, as_coefs

__all__ = [
    "CgResult",
    "Column",
    "Duals",
    "ExtraVar",
    "IntegerResult",
    "Master",
    "MasterSolution",
    "Priced",
    "Pricer",
    "Round",
    "as_coefs",
    "dive",
    "generate",
    "solve_integer",
]
