"""Term ``preference``: overlap minutes x the preference's weight, for each assignment and
preference interval of that person (a constant per assignment, from ``Index.pref_cost``)."""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term


def preference(ctx: Context) -> Term:
    cost = ctx.idx.pref_cost
    expr = sum(cost[(p, s)] * v for (p, s), v in ctx.vars.x.items() if cost.get((p, s), 0))
    return Term("preference", ctx.rules.weights["preference"], expr)
