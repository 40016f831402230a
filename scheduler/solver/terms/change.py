"""Term ``change``: the ``previous`` assignments not kept (each one held is one fewer)."""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term


def change(ctx: Context) -> Term:
    idx = ctx.idx
    in_scope = set(ctx.shifts)
    persons = set(ctx.persons)
    const = 0
    kept = []
    for a in idx.problem.previous:
        s, p = idx.shift_pos[a.shift], idx.staff_pos[a.staff]
        if s not in in_scope or (not ctx.whole_staff and p not in persons):
            continue
        const += 1
        var = ctx.vars.is_assigned(p, s)
        if var is not None:
            kept.append(var)
    return Term("change", ctx.rules.weights["change"], const - sum(kept))
