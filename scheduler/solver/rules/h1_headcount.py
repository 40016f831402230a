"""H1 headcount: every shift gets between ``min_staff`` and ``max_staff`` people.

With ``allow_understaffing`` fewer than ``min_staff`` is allowed: the shortfall is a
variable tied exactly to the headcount and paid for by the ``understaffing`` term. More
than ``max_staff`` is never allowed. Not in a one-person pricing model (``ctx.cover``):
there the master covers the shifts.
"""

from __future__ import annotations

from scheduler.solver.rules.context import Context


def add_h1_headcount(ctx: Context) -> None:
    if not ctx.cover:
        return
    m = ctx.model
    problem = ctx.idx.problem
    loose = problem.rules.allow_understaffing
    for s in ctx.shifts:
        sh = problem.shifts[s]
        n = sum(ctx.vars.by_shift.get(s, ()))
        m.add(n <= sh.max_staff)
        if sh.min_staff <= 0:
            continue
        if loose:
            short = m.new_int_var(0, sh.min_staff, f"shortfall(s={s})")
            m.add_max_equality(short, [0, sh.min_staff - n])
            ctx.shortfall[s] = short
            continue
        need = m.add(n >= sh.min_staff)
        lit = ctx.guard("H1", (s,))
        if lit is not None:
            need.only_enforce_if(lit)
