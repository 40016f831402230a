"""Term ``duty_days``: the (person, day) pairs with any duty — fewer people with more
hours each, on fewer days."""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term


def duty_days(ctx: Context) -> Term:
    expr = sum(ctx.duty(p, d) for p in ctx.persons for d in ctx.per_day(p))
    return Term("duty_days", ctx.rules.weights["duty_days"], expr)
