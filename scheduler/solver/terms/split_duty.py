"""Term ``split_duty``: per person and day with duty, the duty blocks beyond the first.

Blocks are counted by their starts (``Context.block_starts``, exact both ways), so the
count is block starts minus the duty day.
"""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term


def split_duty(ctx: Context) -> Term:
    m = ctx.model
    terms = []
    for p in ctx.persons:
        for d, ds in ctx.per_day(p).items():
            extra = m.new_int_var(0, len(ds), f"split(p={p},d={d})")
            m.add(extra == sum(ctx.block_starts(p, d)) - ctx.duty(p, d))
            terms.append(extra)
    return Term("split_duty", ctx.rules.weights["split_duty"], sum(terms))
