"""Term ``unsocial_spread``: the most minus the fewest unsocial shifts held, over every
first-line person (a shift is unsocial from 17:00 or on a weekend).

``ctx.unsocial_offset`` adds shifts held in weeks the model leaves out, so a model of
some weeks sees the whole period's spread. Without ``ctx.spread`` (a pricing model, or
a week bound) the term is 0.
"""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term


def unsocial_spread(ctx: Context) -> Term:
    idx = ctx.idx
    weight = ctx.rules.weights["unsocial_spread"]
    if not ctx.spread or not weight or not ctx.whole_staff or not idx.first_line:
        return Term("unsocial_spread", weight, 0)
    counts = []
    for p in idx.first_line:
        held = sum(ctx.x(p, s) for s in ctx.vars.by_person.get(p, ()) if idx.shifts[s].unsocial)
        counts.append(held + ctx.unsocial_offset.get(p, 0))
    top = len(ctx.shifts) + max(ctx.unsocial_offset.values(), default=0)
    m = ctx.model
    umax = m.new_int_var(0, top, "unsocial_max")
    umin = m.new_int_var(0, top, "unsocial_min")
    m.add_max_equality(umax, counts)
    m.add_min_equality(umin, counts)
    return Term("unsocial_spread", weight, umax - umin)
