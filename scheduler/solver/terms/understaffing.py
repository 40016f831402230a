"""Term ``understaffing``: for each shift, (min_staff - assigned) x its minutes, when
allowed (the shortfall variables come from H1)."""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term


def understaffing(ctx: Context) -> Term:
    info = ctx.idx.shifts
    expr = sum(info[s].minutes * short for s, short in ctx.shortfall.items())
    return Term("understaffing", ctx.rules.weights["understaffing"], expr)
